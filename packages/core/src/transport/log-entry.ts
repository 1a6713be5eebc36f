/** A spool file being replayed: deleted once every log read from it is settled. */
export interface ReplayFile {
  path: string;
  pending: number;
  readDone: boolean;
}

/** One prepared log on its way: its acceptance order, id, serialized form, and the spool file it came from. */
export interface LogEntry {
  seq: number;
  id: string;
  json: string;
  origin?: ReplayFile;
}
