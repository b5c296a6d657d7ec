/**
 * Public option and layout types of the Qdrant backend, kept apart from the request builders
 * so the published declarations never reference @qdrant/js-client-rest's types (a user
 * without the optional package can still compile against trident's .d.ts).
 */

/** Connection settings. */
export interface QdrantConnectionOptions {
  /** Server URL, e.g. http://localhost:6333. Required. */
  url: string;
  /** API key (Qdrant Cloud or `service.api_key`). Default: none. */
  apiKey?: string | undefined;
  /** Retries after the first attempt. Default 5. */
  maxRetries?: number;
  /** First backoff step, ms. Default 500. */
  baseDelayMs?: number;
  /** Backoff cap, ms. Default 20 000. */
  maxDelayMs?: number;
  /** Largest server-requested wait honoured, ms. Default 60 000. */
  maxRetryAfterMs?: number;
  /** Per-request timeout, ms. Default 60 000. */
  timeoutMs?: number;
  /** Jitter source (tests). Default Math.random. */
  random?: () => number;
  /** Sleep (tests). Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

/** Dense channel settings. */
export interface QdrantDenseLayout {
  size: number;
  /** Keep the original vectors on disk (memmap), HNSW and quantised copies in RAM. Default false. */
  onDisk?: boolean;
  /** 'scalar' (int8, quantile 0.99, in RAM) or 'binary' (1 bit, in RAM; use with rescoring). Default none. */
  quantization?: 'none' | 'scalar' | 'binary';
  /** Storage precision in Qdrant. Default float32. */
  datatype?: 'float32' | 'float16';
}

/** Which channels a collection holds and how (see the module table). */
export interface QdrantLayout {
  /** Encoder identity the collection was built with (checked on open: ENCODER_MISMATCH). */
  encoder: { id: string; dim: number };
  dense?: QdrantDenseLayout;
  sparse?: { modifier: 'none' | 'idf' };
  multivector?: { size: number; onDisk?: boolean; datatype?: 'float32' | 'float16' };
  /** BM25 as client-side term weights (`k1`, `b`, frozen `avgdl`) with Qdrant's `idf` modifier. */
  bm25?: { analyzer: string; analyzerVersion: number; k1: number; b: number; avgdl: number };
}
