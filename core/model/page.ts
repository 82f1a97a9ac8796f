/** One page of a listing; `next` is opaque to the caller and absent on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string | undefined;
}
