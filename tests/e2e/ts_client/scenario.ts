// Drives the TypeScript client generated from the live demo server's document, over the `ws`
// package, through everything tests/e2e/test_ts_client.py asserts. Prints one JSON line
// `{"phase": "restart"}` and waits for a line on stdin (the server restarted), then one final
// JSON line with what each step resolved or rejected with.
//
//   node out/current/scenario.js ws://127.0.0.1:PORT/ws/

import { createInterface } from "node:readline";

import { exponentialBackoff, TypedwsError, type ConnectionEvents } from "typedws-client";
import { originWebSocket } from "../node_ws.js";
import { createApi, type Question, type QuestionsEvent } from "./client.js";

const url = process.argv[2] ?? "";
const SCRIPT_TIMEOUT_MS = 60_000;

const api = createApi({
  url,
  webSocketImpl: originWebSocket(url),
  retryWait: exponentialBackoff({ initialMs: 50, maxMs: 500 }),
});
const connection: [keyof ConnectionEvents, unknown][] = [];
for (const name of ["connecting", "open", "closed", "reconnecting", "resubscribed", "error"] as const) {
  api.$client.on(name, (info) =>
    connection.push([name, name === "error" ? describe(info as ConnectionEvents["error"]) : info]),
  );
}

function describe({ error }: ConnectionEvents["error"]): string {
  return error instanceof Error ? error.message : String((error as { message?: unknown }).message ?? error);
}

/** Events of one subscription, and a way to wait for the one matching a predicate. */
class Inbox {
  readonly events: QuestionsEvent[] = [];
  private waiting: { match: (event: QuestionsEvent) => boolean; resolve: (event: QuestionsEvent) => void }[] =
    [];

  readonly push = (event: QuestionsEvent): void => {
    this.events.push(event);
    for (const waiter of this.waiting.filter((w) => w.match(event))) waiter.resolve(event);
    this.waiting = this.waiting.filter((w) => !w.match(event));
  };

  /** The first event for `pk` with this action (and this question_text, if given). */
  next(action: string, pk: number, text?: string): Promise<QuestionsEvent> {
    const match = (event: QuestionsEvent): boolean =>
      event.action === action && event.pk === pk && (text === undefined || event.data.question_text === text);
    const seen = this.events.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiting.push({ match, resolve }));
  }
}

function failure(error: unknown): unknown {
  if (error instanceof TypedwsError) {
    return { name: error.name, status: error.responseStatus, errors: error.errors, action: error.action };
  }
  return { name: error instanceof Error ? error.name : "unknown", message: String(error) };
}

function once<K extends keyof ConnectionEvents>(name: K): Promise<ConnectionEvents[K]> {
  return new Promise((resolve) => {
    const stop = api.$client.on(name, (info) => {
      stop();
      resolve(info);
    });
  });
}

async function crud(steps: Record<string, unknown>, inbox: Inbox): Promise<Question> {
  const marker = `ts-${process.pid}`;
  const created = await api.questions.create({ question_text: `${marker} created` });
  steps["create"] = created;
  steps["create_event"] = await inbox.next("create", created.id);
  steps["retrieve"] = await api.questions.retrieve(created.id);
  steps["update"] = await api.questions.update(created.id, {
    question_text: `${marker} updated`,
    pub_date: created.pub_date,
  });
  steps["update_event"] = await inbox.next("update", created.id, `${marker} updated`);
  const patched = await api.questions.patch(created.id, { question_text: `${marker} patched` });
  steps["patch"] = patched;
  steps["patch_event"] = await inbox.next("update", created.id, patched.question_text);
  return patched;
}

async function pages(steps: Record<string, unknown>): Promise<void> {
  for (let i = 0; i < 4; i++) await api.questions.create({ question_text: `page filler ${i}` });
  const seen: number[][] = [];
  let page = await api.questions.list({ page_size: 2, ordering: "id" });
  steps["first_page"] = {
    count: page.count,
    page: page.page,
    num_pages: page.num_pages,
    next_page: page.next_page,
    previous_page: page.previous_page,
  };
  seen.push(page.results.map((question) => question.id));
  while (page.next_page !== null) {
    page = await api.questions.list({ page_size: 2, ordering: "id", page: page.next_page });
    seen.push(page.results.map((question) => question.id));
  }
  steps["pages"] = seen;
  steps["last_page"] = { page: page.page, next_page: page.next_page, previous_page: page.previous_page };
}

async function failures(steps: Record<string, unknown>, pk: number): Promise<void> {
  steps["invalid_create"] = await api.questions
    .create({ question_text: "x".repeat(201) })
    .then(() => "resolved", failure);
  steps["missing"] = await api.questions.retrieve(pk + 100_000).then(() => "resolved", failure);
}

async function actions(steps: Record<string, unknown>, question: Question): Promise<void> {
  steps["echo"] = await api.questions.echo(question.id, { from: "typescript" });
  const choice = await api.choices.create({ question: question.id, choice_text: "Because" });
  steps["vote"] = await api.choices.vote(choice.id);
  steps["unanswered"] = (await api.questions.unanswered()).map((item) => item.id);
}

async function main(): Promise<void> {
  const steps: Record<string, unknown> = {};
  const all = new Inbox();
  const sub = api.questions.subscribe({ action: ["create", "update", "delete"] }, all.push);
  steps["subscribe"] = await sub.ready;
  const question = await crud(steps, all);
  await pages(steps);
  await failures(steps, question.id);
  await actions(steps, question);
  steps["delete"] = await api.questions.delete(question.id);
  steps["delete_event"] = await all.next("delete", question.id);

  // Unsubscribe: a change after it reaches the other subscription only.
  const creates = new Inbox();
  const createSub = api.questions.subscribe({ action: "create" }, creates.push);
  await createSub.ready;
  const before = all.events.length;
  await sub.unsubscribe();
  const afterUnsubscribe = await api.questions.create({ question_text: "after unsubscribe" });
  await creates.next("create", afterUnsubscribe.id);
  steps["events_after_unsubscribe"] = all.events.length - before;

  // The restart: the client reconnects by itself and renews `createSub` under its request_id.
  const resubscribed = once("resubscribed");
  process.stdout.write(JSON.stringify({ phase: "restart", subscription: createSub.requestId }) + "\n");
  await new Promise<void>((resolve) =>
    createInterface({ input: process.stdin }).once("line", () => resolve()),
  );
  steps["resubscribed"] = await resubscribed;
  const afterRestart = await api.questions.create({ question_text: "after restart" });
  steps["event_after_restart"] = await creates.next("create", afterRestart.id);
  steps["all_events"] = all.events.map((event) => [event.action, event.pk]);
  await api.$client.close();
  steps["state_after_close"] = api.$client.state;
  process.stdout.write(JSON.stringify({ ok: true, steps, connection }) + "\n");
}

setTimeout(() => {
  process.stdout.write(JSON.stringify({ ok: false, error: "timed out", connection }) + "\n");
  process.exit(1);
}, SCRIPT_TIMEOUT_MS).unref();

main().catch((error: unknown) => {
  process.stdout.write(
    JSON.stringify({ ok: false, error: String(error), detail: failure(error), connection }) + "\n",
  );
  process.exit(1);
});
