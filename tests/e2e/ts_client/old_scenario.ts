// A client generated from an older document (the `choices` stream and Question's `pub_date`
// removed) against the current demo server: it keeps working, and what it does not know it
// simply carries along. Prints one JSON line.
//
//   node out/old/old_scenario.js ws://127.0.0.1:PORT/ws/

import { originWebSocket } from "../node_ws.js";
import { createApi, type Question, type QuestionsEvent } from "./client.js";

const url = process.argv[2] ?? "";

async function main(): Promise<void> {
  const api = createApi({ url, webSocketImpl: originWebSocket(url) });
  const steps: Record<string, unknown> = {};
  const created: Question = await api.questions.create({ question_text: "from an old client" });
  steps["create"] = created;
  steps["retrieve"] = await api.questions.retrieve(created.id);
  const page = await api.questions.list({ page_size: 1 });
  steps["list"] = { count: page.count, results: page.results.length, next_page: page.next_page };
  const event = new Promise<QuestionsEvent>((resolve) => {
    const sub = api.questions.subscribe({ action: "update", pk: created.id }, resolve);
    steps["subscription"] = sub.requestId;
    void sub.ready.then(() => api.questions.patch(created.id, { question_text: "patched by an old client" }));
  });
  steps["event"] = await event;
  steps["delete"] = await api.questions.delete(created.id);
  await api.$client.close();
  process.stdout.write(JSON.stringify({ ok: true, steps }) + "\n");
}

setTimeout(() => {
  process.stdout.write(JSON.stringify({ ok: false, error: "timed out" }) + "\n");
  process.exit(1);
}, 30_000).unref();

main().catch((error: unknown) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(error) }) + "\n");
  process.exit(1);
});
