// The call counter's key for a PhotoShelter path (wire doc, `/_sim/calls`).

/**
 * PhotoShelter ids: a 5-character prefix (`C0000`, `AR000`, `CTG00`) and 11 of `[A-Za-z0-9._]`
 * [OFF]; the collection id `root` [3P] counts too, so both share `collection/{id}/children`.
 */
const ID_SEGMENT = /^(?=.{16}$)[A-Z]{1,3}0{2,4}[A-Za-z0-9._]{11}$/;

export function routeTemplate(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment === 'root' || ID_SEGMENT.test(segment) ? ':id' : segment))
    .join('/');
}
