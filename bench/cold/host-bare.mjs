// The baseline host: one call with the bare Anthropic SDK (the same model and question size).
// Usage: node host-bare.mjs <emulator-url>
import Anthropic from '@anthropic-ai/sdk';

const [url] = process.argv.slice(2);
const client = new Anthropic({ apiKey: 'k', baseURL: url, maxRetries: 0, timeout: 60_000 });
const message = await client.messages.create({
  model: 'claude-sonnet-5',
  max_tokens: 1500,
  messages: [{ role: 'user', content: 'Priya will patch the SDK wrapper by Friday. List the action items.' }],
});
if (message.content.length === 0) throw new Error('no content');
process.stdout.write(`${JSON.stringify({ usage: process.resourceUsage() })}\n`);
