/**
 * A session that starts on the YouTube API and moves to the browser when the API cannot serve it any
 * more (daily quota spent and the start request said `fallback: true`). The session keeps its id, its
 * sink and its dedup memory; only the source underneath changes.
 */
import type { SourceKind } from '../../domain/message.ts';
import { describeError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import type { ChatSource, ChatTarget, SourceSink } from '../source.ts';

export interface FallbackSourceOptions {
  /** Builds the first source; it calls `switchOver` when it gives up. */
  primary: (switchOver: (reason: string) => void) => ChatSource;
  /** Builds the replacement (the browser source), once. */
  fallback: () => ChatSource;
  sink: SourceSink;
  logger: Logger;
  sessionId: string;
}

export class FallbackSource implements ChatSource {
  private readonly options: FallbackSourceOptions;
  private current: ChatSource;
  private switched: { from: SourceKind; reason: string } | null = null;
  private switching: Promise<void> | null = null;
  private stopped = false;

  constructor(options: FallbackSourceOptions) {
    this.options = options;
    this.current = options.primary((reason) => {
      this.switching ??= this.switchOver(reason);
    });
  }

  /** The kind of the source in use now. */
  get kind(): SourceKind {
    return this.current.kind;
  }

  start(): Promise<void> {
    return this.current.start();
  }

  async stop(): Promise<void> {
    // A switch in progress sees `stopped` before it builds the fallback, or has already made it current.
    this.stopped = true;
    await this.current.stop();
  }

  async screenshot(): Promise<Buffer> {
    if (!this.current.screenshot) throw new Error(`the ${this.current.kind} source has no page to screenshot`);
    return this.current.screenshot();
  }

  stateSaved(state: unknown): void {
    this.current.stateSaved?.(state);
  }

  saveState(): unknown {
    return this.current.saveState?.();
  }

  chatTarget(): ChatTarget {
    return this.current.chatTarget?.() ?? {};
  }

  describe(): Record<string, unknown> {
    return {
      ...this.current.describe?.(),
      ...(this.switched ? { fallbackFrom: this.switched.from, fallbackReason: this.switched.reason } : {}),
    };
  }

  private async switchOver(reason: string): Promise<void> {
    const { logger, sessionId, sink } = this.options;
    const previous = this.current;
    await previous.stop().catch(() => undefined);
    if (this.stopped) return;
    this.switched = { from: previous.kind, reason };
    let next: ChatSource;
    try {
      next = this.options.fallback();
    } catch (error) {
      sink.status('error', `fallback failed: ${describeError(error)}`);
      return;
    }
    this.current = next;
    logger.info({ sessionId, from: previous.kind, to: next.kind, reason }, 'session switched source');
    try {
      await next.start();
    } catch (error) {
      logger.warn({ sessionId, err: describeError(error) }, 'fallback source failed to start');
      sink.status('error', `fallback failed: ${describeError(error)}`);
    }
  }
}
