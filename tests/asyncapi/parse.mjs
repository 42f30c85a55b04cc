// Parses AsyncAPI documents with the official parser and prints every diagnostic as JSON.
// Usage: node parse.mjs FILE...   Exit status: 0 when no document has an error diagnostic.
import { readFile } from "node:fs/promises";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const parser = new Parser();
const report = {};
let failed = false;
for (const file of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(await readFile(file, "utf8"));
  report[file] = {
    parsed: document !== undefined,
    diagnostics: diagnostics.map((d) => ({
      severity: DiagnosticSeverity[d.severity],
      code: d.code,
      message: d.message,
      path: d.path,
    })),
  };
  if (document === undefined || diagnostics.some((d) => d.severity === DiagnosticSeverity.Error)) {
    failed = true;
  }
}
console.log(JSON.stringify(report, null, 2));
process.exit(failed ? 1 : 0);
