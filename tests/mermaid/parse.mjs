// Parse mermaid diagrams with mermaid's own parser, offline: no browser, no rendering.
//
// Reads a JSON array of diagram sources on stdin and writes a JSON array of results, one per
// diagram: {"ok": true, "diagramType": "flowchart-v2"} or {"ok": false, "error": "..."}.
//
// mermaid.parse() needs no layout, but importing mermaid builds DOMPurify, which needs a
// window with a document: jsdom provides one, set before mermaid is imported.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const { window } = new JSDOM("");
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import("mermaid");

const sources = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const source of sources) {
  try {
    const { diagramType } = await mermaid.parse(source);
    results.push({ ok: true, diagramType });
  } catch (error) {
    results.push({ ok: false, error: String(error.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
