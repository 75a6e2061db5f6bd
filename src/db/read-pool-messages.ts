/** What a DbReadPool sends to its workers and what they answer (structured-cloned). */
export interface ReadPoolWorkerData {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly moduleUrl: string;
}

export interface ReadPoolRequest {
  readonly id: number;
  readonly name: string;
  readonly hasParams: boolean;
  readonly params: unknown;
}

export type ReadPoolReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: {
        readonly name: string;
        readonly message: string;
        readonly code: string | undefined;
        readonly stack: string | undefined;
      };
    };
