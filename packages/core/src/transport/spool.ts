import { randomBytes } from "node:crypto";
import { appendFileSync, createReadStream } from "node:fs";
import { appendFile, readdir, rename, stat, unlink, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ensureDirSync } from "./ensure-dir.js";

/** The spool directory used when none is configured: under the OS temp dir, named for the project. */
export const defaultSpoolDir = (): string => join(tmpdir(), "keyway-spool");

export interface SpoolOptions {
  /**
   * How long a claim lasts without its owner renewing it (default 30 s). The owner renews every third of it while
   * it replays; a claim older than this belongs to a process that died, and is taken over.
   */
  leaseMs?: number;
  /** A spool file is closed and a new one begun past this size (default 64 MiB): replay reads file by file. */
  maxFileBytes?: number;
  now?: () => number;
}

const claimSuffix = /\.claimed-([\w-]+)$/;

/** The spool directory cannot be created or is not a directory: nothing can be spooled there. */
export class SpoolUnavailableError extends Error {
  readonly code = "spool_unavailable";
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    super(`spool directory ${dir} cannot be used (${(cause as { code?: string }).code ?? String(cause)})`, {
      cause,
    });
    this.name = "SpoolUnavailableError";
  }
}

/**
 * An append-only spool of serialized logs (JSON lines) in a directory several sinks may share. Each sink writes
 * its own files (`<pid>-<random>-<n>.jsonl`, opened and closed per append); a sink replays a file by renaming it
 * to `….claimed-<owner>` — the rename is the lock — and deletes it once every log in it is settled. A claim is a
 * lease: its owner touches the file while it holds it, so a claim left by a process killed mid-replay goes stale
 * and is taken over. (A PID cannot tell: in a container the next process is PID 1 again.)
 */
export class Spool {
  readonly dir: string;
  readonly #owner = `${process.pid}-${randomBytes(6).toString("hex")}`;
  readonly #leaseMs: number;
  readonly #now: () => number;
  #fileIndex = 0;
  #fileBytes = 0;
  readonly #maxFileBytes: number;
  #writes: Promise<void> = Promise.resolve();
  #dirReady = false;
  #held = new Set<string>();
  #renewer: NodeJS.Timeout | undefined;

  constructor(dir: string, options: SpoolOptions = {}) {
    this.dir = dir;
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
    this.#now = options.now ?? Date.now;
  }

  get #currentFile(): string {
    return join(this.dir, `${this.#owner}-${this.#fileIndex}.jsonl`);
  }

  #ensureDir(): void {
    if (this.#dirReady) return;
    try {
      ensureDirSync(this.dir);
    } catch (error) {
      throw new SpoolUnavailableError(this.dir, error);
    }
    this.#dirReady = true;
  }

  /** The text of an append, moving on to a new file when the current one is full. */
  #chunk(lines: string[]): string {
    const text = `${lines.join("\n")}\n`;
    if (this.#fileBytes > 0 && this.#fileBytes + text.length > this.#maxFileBytes) {
      this.#fileIndex++;
      this.#fileBytes = 0;
    }
    this.#fileBytes += text.length;
    return text;
  }

  /** Appends lines (one serialized log each); appends are serialized so lines never interleave. */
  append(lines: string[]): Promise<void> {
    const write = this.#writes.then(async () => {
      this.#ensureDir();
      const text = this.#chunk(lines);
      await appendFile(this.#currentFile, text);
    });
    this.#writes = write.catch(() => undefined);
    return write;
  }

  /** For `process.on("exit")`, where nothing asynchronous runs any more. */
  appendSync(lines: string[]): void {
    this.#ensureDir();
    const text = this.#chunk(lines);
    appendFileSync(this.#currentFile, text);
  }

  /** How long a claim holds without renewal: past it, its owner is taken for dead. */
  get leaseMs(): number {
    return this.#leaseMs;
  }

  /**
   * Claims every spool file not being written or replayed: other sinks' files, this sink's earlier files, stale
   * claims — or, with `staleClaimsOnly` (the periodic re-scan while a sink runs), only claims whose owner died.
   */
  async claim(options: { staleClaimsOnly?: boolean } = {}): Promise<string[]> {
    await this.#writes;
    if (!options.staleClaimsOnly) {
      this.#fileIndex++; // later appends of this sink go to a fresh file, so the current one can be claimed
      this.#fileBytes = 0;
    }
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const claimed: string[] = [];
    for (const name of names) {
      const claim = claimSuffix.exec(name);
      if (!claim && (options.staleClaimsOnly || !name.endsWith(".jsonl"))) continue;
      if (name === `${this.#owner}-${this.#fileIndex}.jsonl`) continue;
      const source = join(this.dir, name);
      if (claim) {
        if (claim[1] === this.#owner) continue;
        const modified = await stat(source).then(
          (info) => info.mtimeMs,
          () => undefined,
        );
        if (modified === undefined || this.#now() - modified < this.#leaseMs) continue; // a live owner's
      }
      const target = join(this.dir, `${claim ? name.slice(0, claim.index) : name}.claimed-${this.#owner}`);
      try {
        // Fresh before the rename: the claim must not look stale to another sink for a moment.
        const at = new Date(this.#now());
        await utimes(source, at, at);
        await rename(source, target);
        claimed.push(target);
        this.#held.add(target);
      } catch {
        // Another sink claimed it first.
      }
    }
    this.#renewWhileHeld();
    return claimed;
  }

  /** The lines of a claimed file, read as a stream (a file may be large); a torn line (a crash mid-append) is skipped. */
  async *read(file: string): AsyncGenerator<string> {
    const lines = createInterface({
      input: createReadStream(file, { encoding: "utf8" }),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) {
      if (line.trim() === "") continue;
      try {
        JSON.parse(line);
      } catch {
        continue;
      }
      yield line;
    }
  }

  async remove(file: string): Promise<void> {
    this.#held.delete(file);
    this.#renewWhileHeld();
    await unlink(file).catch(() => undefined);
  }

  /** Gives back claims still held (at shutdown): the next sink replays them at once instead of after the lease. */
  async release(): Promise<void> {
    const held = [...this.#held];
    this.#held.clear();
    this.#renewWhileHeld();
    for (const file of held) {
      const unclaimed = file.replace(claimSuffix, "");
      await rename(file, unclaimed).catch(() => undefined);
    }
  }

  #renewWhileHeld(): void {
    if (this.#held.size === 0) {
      clearInterval(this.#renewer);
      this.#renewer = undefined;
      return;
    }
    if (this.#renewer) return;
    this.#renewer = setInterval(() => {
      const at = new Date(this.#now());
      for (const file of this.#held) void utimes(file, at, at).catch(() => undefined);
    }, this.#leaseMs / 3);
    this.#renewer.unref();
  }
}
