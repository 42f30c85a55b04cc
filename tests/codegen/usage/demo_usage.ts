// Compiled by tests/codegen/test_typescript.py beside the generated demo client (`./client.js`).
// `correct` must type-check as it is. In `wrong`, each `@ts-expect-error` names the compiler
// error the next line must cause; the test also compiles a copy without the directives and
// checks that tsc reports exactly that error on exactly those lines.

import { TypedwsError, type SubscriptionHandle } from "typedws-client";

import {
  createApi,
  type Api,
  type EventAction,
  type Question,
  type QuestionPage,
  type QuestionsEvent,
  type Subscription,
} from "./client.js";

export async function correct(): Promise<void> {
  const api: Api = createApi({ url: "ws://localhost:8000/ws/", timeoutMs: 5000 });
  const q: Question = await api.questions.create({ question_text: "Why?" });
  const id: number = q.id;
  const page: QuestionPage = await api.questions.list({ page: 2 });
  const filtered = await api.questions.list({ page_size: 10, search: "why", ordering: ["-pub_date", "id"] });
  const next: number | null = filtered.next_page;
  const first: Question | undefined = page.results[0];
  await api.questions.retrieve(id, { timeoutMs: 1000 });
  await api.questions.update(id, { question_text: "How?", pub_date: q.pub_date });
  await api.questions.patch(id, {});
  await api.questions.patch("1", { question_text: "When?" });
  const echoed: unknown = await api.questions.echo(id);
  await api.questions.echo(id, { anything: [1, "two"] });
  const unanswered: Question[] = await api.questions.unanswered();
  await api.choices.vote(1);
  const removed: null = await api.questions.delete(id);
  const sub: SubscriptionHandle<Subscription> = api.questions.subscribe({ action: "update", pk: q.id }, (event) => {
    const typed: QuestionsEvent = event;
    const action: EventAction = event.action;
    const text: string = event.data.question_text;
    void [typed, action, text];
  });
  api.questions.subscribe({ action: ["create", "delete"] }, () => undefined);
  const ack: Subscription = await sub.ready;
  const actions: EventAction[] = ack.action;
  await sub.unsubscribe();
  const stop = api.$client.on("resubscribed", ({ stream, requestId }) => void [stream, requestId]);
  stop();
  try {
    await api.questions.create({ question_text: "" });
  } catch (error) {
    if (error instanceof TypedwsError) {
      const status: number = error.responseStatus;
      const paths: (string | number)[][] = error.errors.map((item) => item.path);
      void [status, paths];
    }
  }
  const shared = createApi(api.$client);
  await shared.$client.close();
  void [next, first, echoed, unanswered, removed, actions];
}

export async function wrong(api: Api, q: Question, page: QuestionPage): Promise<void> {
  // @ts-expect-error TS2339 unknown stream
  await api.answers.list();
  // @ts-expect-error TS2339 unknown action
  await api.questions.publish(q.id);
  // @ts-expect-error TS2322 wrong field type
  await api.questions.create({ question_text: 42 });
  // @ts-expect-error TS2820 wrong enum value
  api.questions.subscribe({ action: "updated" }, () => undefined);
  // @ts-expect-error TS2345 missing required field
  await api.questions.create({ pub_date: "2026-01-01T00:00:00Z" });
  // @ts-expect-error TS2353 read-only field sent in a create
  await api.questions.create({ id: 1, question_text: "Why?" });
  // @ts-expect-error TS2554 a detail action needs its pk
  await api.questions.retrieve();
  // @ts-expect-error TS2322 a nullable field is nullable
  const next: number = page.next_page;
  // @ts-expect-error TS2561 list takes only its declared parameters
  await api.questions.list({ pages: 2 });
  // @ts-expect-error TS2741 an event's data is the stream's type
  api.questions.subscribe({ action: "create" }, (event) => { const choice: { votes: number } = event.data; void choice; });
  void next;
}
