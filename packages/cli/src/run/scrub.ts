/**
 * A last line of defence: whatever `skillc run` writes passes through this, and any configured
 * secret (API keys, the state URL, MCP server headers and environment) that slipped into a message is replaced by `[redacted]`.
 */
import type { SdlConfig } from '@sdl/adapters';

/** Returns a function that removes every secret of `config` from a text. */
export function createSecretScrubber(config: SdlConfig | undefined): (text: string) => string {
  const secrets = new Set<string>();
  for (const engine of Object.values(config?.engines ?? {})) {
    const key = engine.apiKey?.reveal();
    // Very short values would redact ordinary words; keys are long.
    if (key !== undefined && key.length >= 8) secrets.add(key);
  }
  for (const server of Object.values(config?.mcp ?? {})) {
    for (const secret of [...Object.values(server.env ?? {}), ...Object.values(server.headers ?? {})]) {
      const value = secret.reveal();
      if (value.length >= 8) secrets.add(value);
    }
  }
  for (const caller of Object.values(config?.server?.callers ?? {})) {
    const token = caller.token.reveal();
    if (token.length >= 8) secrets.add(token);
  }
  const url = config?.state.url?.reveal();
  if (url !== undefined && url.length >= 8) secrets.add(url);
  if (secrets.size === 0) return (text) => text;
  const list = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of list) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    return out;
  };
}
