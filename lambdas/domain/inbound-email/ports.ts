/** What became of an inbound message already processed for a service. */
export interface ProcessedMail {
  readonly outcome: string;
  readonly incidentNumber?: number;
}

/** The memory of inbound mail: messages processed, and the message ids of each incident's thread. */
export interface InboundMailIndex {
  findProcessed(key: string): Promise<ProcessedMail | undefined>;
  markProcessed(key: string, processed: ProcessedMail): Promise<void>;
  /** The incident of the first of these thread keys that is remembered. */
  findThread(keys: readonly string[]): Promise<number | undefined>;
  rememberThread(key: string, incidentNumber: number): Promise<void>;
}
