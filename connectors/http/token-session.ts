import type { Clock } from '../../core/ports/clock.js';

/** A credential a vendor issued us: the token, and when to stop using it (undefined: until refused). */
export interface IssuedToken {
  readonly token: string;
  /** Epoch ms from which the token is renewed before use. */
  readonly renewAt?: number | undefined;
}

/**
 * An outbound credential (Graph token, PhotoShelter session): fetched once for concurrent callers,
 * reused until `renewAt`, renewed once on refusal (revoked or expired early).
 */
export class TokenSession {
  private cached: IssuedToken | undefined;
  private pending: Promise<IssuedToken> | undefined;
  private readonly held: string[] = [];

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    private readonly clock: Clock,
  ) {}

  /** Every token held so far: none may reach a log line or an error message, even after renewal. */
  get issued(): readonly string[] {
    return this.held;
  }

  async token(): Promise<string> {
    const cached = this.cached;
    const now = this.clock.now().getTime();
    if (cached !== undefined && (cached.renewAt === undefined || now < cached.renewAt)) {
      return cached.token;
    }
    this.pending ??= this.issue()
      .then((issued) => {
        this.cached = issued;
        this.held.push(issued.token);
        return issued;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return (await this.pending).token;
  }

  /** Forgets the held token (after a log-out) and returns it, if there was one. */
  drop(): string | undefined {
    const token = this.cached?.token;
    this.cached = undefined;
    return token;
  }

  /**
   * Sends with the current token; when the answer says it was refused, forgets it and sends once
   * more with a fresh one. A credential that has nothing fresher leaves the refusal standing.
   */
  async authorize<T>(
    send: (token: string) => Promise<T>,
    isRefused: (answer: T) => boolean,
    onRenew: () => void,
  ): Promise<T> {
    const first = await this.token();
    const answer = await send(first);
    if (!isRefused(answer)) return answer;
    // Only the caller whose token failed drops it; concurrent callers then share one renewal.
    if (this.cached?.token === first) this.cached = undefined;
    const fresh = await this.token();
    if (fresh === first) return answer;
    onRenew();
    return send(fresh);
  }
}
