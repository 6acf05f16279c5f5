// Parse Mermaid files with Mermaid's own parser and print, for each file, one line of JSON
// saying what Mermaid understood: the diagram type, the configuration the text applied (front
// matter `config:` or %%{init}%% directives), the title, and the text of every node and subgraph
// label as a browser shows it (entities read, HTML read as text, <br> as a line break).
// A quadrantChart gives its points (text, position in pixels, fill), quadrants, axes and title instead.
// A file Mermaid cannot parse gives {"file": ..., "error": ...}.
//
//   npm ci && node parse.mjs diagram.mmd [more.mmd ...]
//
// The versions are pinned in package.json and, with every transitive package, in package-lock.json.
// To move to newer ones: `npm install mermaid@VERSION jsdom@VERSION js-yaml@VERSION --save-exact`
// here (mermaid 12 and the newest jsdom need node 22), then run tests/test_hardening_mermaid.py.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";
import yaml from "js-yaml";

// Mermaid sanitises labels with DOMPurify, which needs a DOM: jsdom provides one.
const { window } = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import("mermaid");

/** Label text as shown: Mermaid's entity placeholders decoded, then read as HTML. */
function shown(label) {
  const html = label
    .replace(/\uFB02\u00B0\u00B0/g, "&#")
    .replace(/\uFB02\u00B0/g, "&")
    .replace(/\u00B6\u00DF/g, ";");
  const div = window.document.createElement("div");
  div.innerHTML = html.replace(/<br\s*\/?>/gi, "\n");
  return div.textContent;
}

/** The front matter's title, read as Mermaid reads it (js-yaml, JSON schema). */
function frontMatterTitle(text) {
  const match = text.match(/^-{3}\s*[\n\r](.*?)[\n\r]-{3}\s*[\n\r]+/s);
  const data = match ? yaml.load(match[1], { schema: yaml.JSON_SCHEMA }) : null;
  return data && typeof data === "object" && data.title ? String(data.title) : "";
}

async function parse(file) {
  const text = readFileSync(file, "utf8");
  const { diagramType, config } = await mermaid.parse(text);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text, { title: frontMatterTitle(text) });
  const db = diagram.db;
  if (diagramType === "quadrantChart") {
    // Each point's text as shown and where it is (0-1), the quadrants' and axes' words, the title.
    const data = db.getQuadrantData();
    const points = data.points.map((p) => ({
      text: shown(p.text.text), x: p.x, y: p.y, fill: p.fill,
    }));
    const quadrants = data.quadrants.map((q) => shown(q.text.text));
    const axes = data.axisLabels.map((a) => shown(a.text));
    return { file, type: diagramType, config, title: shown(data.title?.text ?? ""), points, quadrants, axes };
  }
  const subgraphs = {};
  for (const graph of db.getSubGraphs()) subgraphs[graph.id] = shown(graph.title ?? "");
  const nodes = {};
  for (const [id, vertex] of db.getVertices()) {
    if (!(id in subgraphs)) nodes[id] = shown(vertex.text ?? "");
  }
  const title = shown(db.getDiagramTitle?.() ?? "");
  return { file, type: diagramType, config, title, nodes, subgraphs, edges: db.getEdges().length };
}

for (const file of process.argv.slice(2)) {
  let result;
  try {
    result = await parse(file);
  } catch (error) {
    result = { file, error: String(error?.message ?? error) };
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}
