/**
 * PDFs are read off the main thread: one extraction worker thread (extract-worker.ts) takes one document
 * at a time, with a time budget and a memory budget (the thread's V8 heap limit). A document that spends
 * either is refused with `document_too_complex` and the worker is ended; the next document gets a new one.
 * Waiting documents are bounded: past the bound an upload answers `document_queue_full` at once, so a
 * flood of uploads neither grows memory nor waits for ever. One worker because the service's other work
 * (capture, fan-out, the embedded backend) needs the remaining cores more than uploads do.
 */
import { Worker } from 'node:worker_threads';
import { BOOTSTRAP, entryPath, waitReady } from '../backend/worker/bootstrap.ts';
import type { WireError } from '../backend/worker/protocol.ts';
import { EarshotError, isErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { PdfLimits } from './extract.ts';
import type { ExtractRequest, ExtractResponse } from './extract-protocol.ts';

const ENTRY = entryPath(__dirname, 'extract-worker');

export interface ExtractionPoolOptions {
  /** Longest one document may be read (KB_EXTRACT_TIMEOUT_MS), from the moment the worker takes it. */
  timeoutMs: number;
  /** The worker's V8 heap limit in MB (KB_EXTRACT_MEMORY_MB). */
  maxMemoryMb: number;
  /** Documents that may wait while one is read (KB_EXTRACT_QUEUE); more are refused. */
  maxQueued: number;
  /** Page and character caps applied as the worker reads. */
  limits: PdfLimits;
  logger?: Logger;
}

/** Counters for health and tests. */
export interface ExtractionStats {
  /** Documents handed to a worker. */
  taken: number;
  /** Documents read to the end (or refused by a cap) by a worker that lived on. */
  completed: number;
  /** Documents whose worker was ended for spending the time or memory budget. */
  overBudget: number;
  /** Workers started (the first one included). */
  started: number;
  /** Uploads refused because the queue was full. */
  refused: number;
  queued: number;
  busy: boolean;
}

interface Job {
  data: Uint8Array;
  resolve: (text: string) => void;
  reject: (error: Error) => void;
}

/** Why a worker ended while it held a document. */
type EndReason = 'time' | 'memory' | 'crash';

/** The refusal for a document whose worker ended (pure: unit-tested). */
export function endedError(reason: EndReason, options: Pick<ExtractionPoolOptions, 'timeoutMs' | 'maxMemoryMb'>): EarshotError {
  if (reason === 'time') {
    return new EarshotError('document_too_complex', `The PDF could not be read within ${Math.round(options.timeoutMs / 1000)} s`);
  }
  if (reason === 'memory') {
    return new EarshotError('document_too_complex', `Reading the PDF needed more than ${options.maxMemoryMb} MB`);
  }
  return new EarshotError('invalid_document', 'The PDF could not be read');
}

export class ExtractionPool {
  private readonly options: ExtractionPoolOptions;
  private readonly queue: Job[] = [];
  private worker: Worker | null = null;
  private starting: Promise<Worker> | null = null;
  /** The document being read, its message id and its budget timer. */
  private current: { job: Job; id: number; worker: Worker | null; timer?: NodeJS.Timeout } | null = null;
  /** Set when this pool ends a worker on purpose, so its exit is told apart from a crash. */
  private readonly endReasons = new WeakMap<Worker, EndReason>();
  private nextId = 1;
  private closed = false;
  private readonly counts = { taken: 0, completed: 0, overBudget: 0, started: 0, refused: 0 };

  constructor(options: ExtractionPoolOptions) {
    this.options = options;
  }

  stats(): ExtractionStats {
    return { ...this.counts, queued: this.queue.length, busy: this.current !== null };
  }

  /** The text of a PDF, read by the worker. Rejects with coded errors; never blocks this thread. */
  extract(data: Uint8Array): Promise<string> {
    if (this.closed) return Promise.reject(new EarshotError('kb_unavailable', 'Document extraction has stopped'));
    if (this.current && this.queue.length >= this.options.maxQueued) {
      this.counts.refused++;
      return Promise.reject(new EarshotError('document_queue_full', 'Too many documents are being read; try again in a minute'));
    }
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ data, resolve, reject });
      this.pump();
    });
  }

  /** Ends the worker; waiting and running documents fail with kb_unavailable. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new EarshotError('kb_unavailable', 'Document extraction has stopped');
    for (const job of this.queue.splice(0)) job.reject(stopped);
    const worker = this.worker ?? (await this.starting?.catch(() => null)) ?? null;
    this.worker = null;
    if (this.current) this.finish(this.current.job, stopped);
    await worker?.terminate();
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    const id = this.nextId++;
    const current: NonNullable<ExtractionPool['current']> = { job, id, worker: null };
    this.current = current;
    this.ensureWorker().then(
      (worker) => {
        if (this.current !== current) return;
        current.worker = worker;
        // The budget starts when the worker has the document, not while a new worker loads pdf.js.
        current.timer = setTimeout(() => this.end(worker, 'time'), this.options.timeoutMs);
        this.counts.taken++;
        worker.postMessage({ id, data: job.data, limits: this.options.limits } satisfies ExtractRequest);
      },
      (error: unknown) => {
        if (this.current === current) this.finish(job, error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  private finish(job: Job, outcome: string | Error): void {
    if (this.current?.job === job) {
      clearTimeout(this.current.timer);
      this.current = null;
    }
    if (typeof outcome === 'string') job.resolve(outcome);
    else job.reject(outcome);
    // The next document starts on a later turn, after the caller has seen this one's answer.
    setImmediate(() => this.pump());
  }

  private end(worker: Worker, reason: EndReason): void {
    if (!this.endReasons.has(worker)) this.endReasons.set(worker, reason);
    // No further document goes to a worker that is being ended.
    if (this.worker === worker) this.worker = null;
    void worker.terminate();
  }

  private ensureWorker(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= this.startWorker().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async startWorker(): Promise<Worker> {
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { entry: ENTRY },
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxMemoryMb, maxYoungGenerationSizeMb: Math.min(32, this.options.maxMemoryMb) },
      // pdf.js warnings (fonts, broken xref) are about the seller's file, not the service.
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    // An idle reader never keeps the process alive; shutdown ends it (close()).
    worker.unref();
    this.counts.started++;
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.endReasons.set(worker, 'memory');
      else this.options.logger?.warn({ err: error.message }, 'document extraction worker failed');
    });
    worker.once('exit', () => this.workerOnExit(worker));
    try {
      await waitReady<{ message: string }>(worker, {
        failed: (error) => new Error(error.message),
        exited: (code) => new Error(`the worker exited (${code}) while starting`),
      });
    } catch (error) {
      await worker.terminate();
      throw new EarshotError('kb_unavailable', `Document extraction could not start: ${(error as Error).message}`);
    }
    if (this.closed) {
      await worker.terminate();
      throw new EarshotError('kb_unavailable', 'Document extraction has stopped');
    }
    worker.on('message', (message: ExtractResponse) => this.workerOnMessage(message));
    this.worker = worker;
    return worker;
  }

  private workerOnMessage(message: ExtractResponse): void {
    const current = this.current;
    if (!('id' in message) || !current || current.id !== message.id) return;
    this.counts.completed++;
    this.finish(current.job, message.ok ? message.text : rebuildError(message.error));
  }

  private workerOnExit(worker: Worker): void {
    if (this.worker === worker) this.worker = null;
    const current = this.current;
    if (!current || current.worker !== worker) return;
    const reason = this.endReasons.get(worker) ?? 'crash';
    if (reason !== 'crash') this.counts.overBudget++;
    this.options.logger?.warn({ reason }, 'document extraction worker ended; the next document gets a new one');
    this.finish(current.job, endedError(reason, this.options));
  }
}


/** A coded error keeps its code across the thread; anything else is pdf.js failing on the file. */
function rebuildError(wire: WireError): Error {
  if (isErrorCode(wire.code)) return new EarshotError(wire.code, wire.message, wire.context ?? {});
  return new Error(wire.message);
}
