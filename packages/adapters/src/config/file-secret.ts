import { readFileSync, statSync, type Stats } from 'node:fs';
import type { Credential } from '../shared/credential.js';
import { Secret } from './secret.js';

/** Options of {@link FileSecret}. */
export interface FileSecretOptions {
  /** How often a call may look at the file for a change, in ms; default 1000. */
  checkIntervalMs?: number;
  /** Epoch ms; default `Date.now`. */
  now?: () => number;
}

/**
 * A key read from a file (`api_key: "${file:/run/secrets/anthropic}"`), as mounted secrets are:
 * Kubernetes and Docker rotate them by replacing the file. The file is read when the config is
 * loaded; a call looks at it again (one `stat`) at most once a second and reads it anew when it
 * changed, and an `auth` failure reads it at once. Trailing newlines are not part of the key.
 * It prints as `[redacted]` like every {@link Secret}.
 */
export class FileSecret extends Secret implements Credential {
  private value: string;
  private stamp: string;
  private checkedAt: number;
  private readonly checkIntervalMs: number;
  private readonly now: () => number;
  /** How many times the file was read again after a change (a rotation counts once). */
  reloads = 0;

  /**
   * @param path - the file, absolute (the config loader resolves it against the config's folder)
   * @throws Error (from `node:fs`) when the file cannot be read
   */
  constructor(
    readonly path: string,
    options: FileSecretOptions = {},
  ) {
    const stats = statSync(path);
    const value = readKey(path);
    super(value);
    this.value = value;
    this.stamp = stampOf(stats);
    this.now = options.now ?? Date.now;
    this.checkIntervalMs = options.checkIntervalMs ?? 1000;
    this.checkedAt = this.now();
  }

  /** The key as the file holds it now (looked at no more than once per check interval). */
  override reveal(): string {
    const now = this.now();
    if (now - this.checkedAt >= this.checkIntervalMs) {
      this.checkedAt = now;
      this.reloadIfChanged();
    }
    return this.value;
  }

  current(): string {
    return this.reveal();
  }

  async refresh(used: string): Promise<string | undefined> {
    if (this.value === used) {
      this.checkedAt = this.now();
      this.reloadIfChanged();
    }
    return this.value === used ? undefined : this.value;
  }

  private reloadIfChanged(): void {
    let stats: Stats;
    try {
      stats = statSync(this.path);
    } catch {
      return; // mid-rotation (the file replaced by a rename): keep the key until it is back
    }
    const stamp = stampOf(stats);
    if (stamp === this.stamp) return;
    let value: string;
    try {
      value = readKey(this.path);
    } catch {
      return;
    }
    this.stamp = stamp;
    if (value === '' || value === this.value) return;
    this.value = value;
    this.reloads += 1;
  }
}

const stampOf = (s: Stats) => `${s.ino}:${s.size}:${s.mtimeMs}`;
const readKey = (path: string) => readFileSync(path, 'utf8').replace(/\r?\n+$/, '');
