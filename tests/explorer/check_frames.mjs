// Runs the explorer's frame checker (typedws/static/typedws/explorer/frames.js) under Node for
// the pytest suite: `node check_frames.mjs <modules dir> <document.json>`, then one JSON line
// per frame on stdin, {"text": ..., "maxFrameBytes": ...}, answered by one JSON line on stdout,
// {"ok", "status", "errors": [{"code", "path"}], "echo"}.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [modules, documentPath] = process.argv.slice(2);
const load = (name) => import(pathToFileURL(join(modules, name)).href);
const { readContract } = await load("contract.js");
const { checkFrame } = await load("frames.js");
const contract = readContract(JSON.parse(readFileSync(documentPath, "utf8")));

for await (const line of createInterface({ input: process.stdin })) {
  const { text, maxFrameBytes } = JSON.parse(line);
  const verdict = checkFrame(text, contract, { maxFrameBytes: maxFrameBytes ?? Infinity });
  const errors = verdict.errors.map(({ code, path }) => ({ code, path }));
  process.stdout.write(`${JSON.stringify({ ...verdict, frame: undefined, errors })}\n`);
}
