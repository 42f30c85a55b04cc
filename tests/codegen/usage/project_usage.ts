// Compiled by tests/codegen/test_typescript.py beside the generated test-project client
// (`./client.js`); see demo_usage.ts for what the `@ts-expect-error` lines prove.

import { createApi, type Api, type Everything, type Note, type Status } from "./client.js";

export async function correct(): Promise<void> {
  const api: Api = createApi({ url: "ws://localhost:8000/ws/" });
  const note: Note = await api.notes.retrieve("intro");
  await api["my-notes"].create({ title: "Mine", slug: "mine" });
  const renamed: Note = await api["action-notes"].rename("intro", { title: "New" });
  const checked: Everything = await api.kitchen.check({
    char: "ab",
    email: "a@example.com",
    integer: 0,
    status: "draft",
    nested: { name: "x" },
    priority: null,
    colors: ["red"],
    decimal: "1.50",
    mapping: { a: "b" },
  });
  const status: Status = checked.status;
  const priority: 1 | 2 | null = checked.priority;
  const mapped: string | undefined = checked.mapping["a"];
  void [note, renamed, status, priority, mapped];
}

export async function wrong(api: Api): Promise<void> {
  // @ts-expect-error TS2322 wrong enum value
  await api.kitchen.check({ char: "ab", email: "a@example.com", integer: 0, status: "gone", nested: { name: "x" } });
  // @ts-expect-error TS2322 an integer enum takes its values only
  await api.kitchen.check({ char: "ab", email: "a@example.com", integer: 0, status: "draft", nested: { name: "x" }, priority: 3 });
  // @ts-expect-error TS2741 missing required field of a nested object
  await api.kitchen.check({ char: "ab", email: "a@example.com", integer: 0, status: "draft", nested: {} });
  // @ts-expect-error TS2353 read-only field sent in a create
  await api["my-notes"].create({ title: "Mine", slug: "mine", owner: 1 });
  // @ts-expect-error TS2339 a stream without events has no subscribe
  api.kitchen.subscribe({ action: "create" }, () => undefined);
  // @ts-expect-error TS2322 wrong array item type
  await api.kitchen.check({ char: "ab", email: "a@example.com", integer: 0, status: "draft", nested: { name: "x" }, colors: ["blue"] });
}
