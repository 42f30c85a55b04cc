/**
 * What the explorer needs of an AsyncAPI document written by typedws: its streams, each
 * stream's actions (from the operations' `x-typedws`), their request schemas and examples,
 * and the socket's address.
 *
 * ```js
 * const contract = readContract(await (await fetch(documentUrl)).json());
 * contract.streams[0].actions[0]; // {stream: "questions", action: "create", request: ...}
 * ```
 *
 * @module contract
 */

/**
 * One action of one stream, as the document describes it.
 * @typedef {object} Operation
 * @property {string} id `"<stream>.<action>"`
 * @property {string} stream
 * @property {string} action
 * @property {boolean} detail whether it acts on one object
 * @property {string|null} lookup the payload key naming that object (`pk`, `slug`)
 * @property {string} method the HTTP method DRF permissions see
 * @property {string} summary
 * @property {string} description
 * @property {string} request the component name of its request frame schema
 * @property {unknown} example a valid request frame, from the request message's examples
 */

/**
 * @typedef {object} Stream
 * @property {string} name
 * @property {string} description
 * @property {Operation[]} actions in the document's order
 */

/**
 * @typedef {object} Contract
 * @property {string} title
 * @property {string} version
 * @property {string} address the channel's address: the WebSocket path
 * @property {Stream[]} streams
 * @property {Record<string, Record<string, any>>} schemas `components.schemas`
 * @property {Map<string, Map<string, Operation>>} routes stream -> action -> operation
 */

/**
 * Read a typedws AsyncAPI 3.0 document.
 * @param {Record<string, any>} document
 * @returns {Contract}
 */
export function readContract(document) {
  const channel = Object.values(document.channels ?? {})[0] ?? {};
  const descriptions = new Map((document.info?.tags ?? []).map((tag) => [tag.name, tag]));
  const routes = new Map();
  for (const [id, operation] of Object.entries(document.operations ?? {})) {
    const meta = operation["x-typedws"];
    if (!meta) continue; // `errors`: the replies to frames that cannot be routed
    if (!routes.has(meta.stream)) routes.set(meta.stream, new Map());
    routes.get(meta.stream).set(meta.action, readOperation(document, id, operation, meta));
  }
  const streams = [...routes].map(([name, actions]) => ({
    name,
    description: descriptions.get(name)?.description ?? "",
    actions: [...actions.values()],
  }));
  return {
    title: document.info?.title ?? "",
    version: document.info?.version ?? "",
    address: channel.address ?? "/",
    streams,
    schemas: document.components?.schemas ?? {},
    routes,
  };
}

function readOperation(document, id, operation, meta) {
  const message = pointer(document, operation.messages[0].$ref);
  return {
    id,
    stream: meta.stream,
    action: meta.action,
    detail: Boolean(meta.detail),
    lookup: meta.lookup ?? null,
    method: meta.method ?? "",
    summary: operation.summary ?? "",
    description: operation.description ?? "",
    request: message.payload.$ref.split("/").pop(),
    example: message.examples?.[0]?.payload ?? null,
  };
}

/**
 * Follow a local JSON pointer (`#/channels/api/messages/X`), through `$ref`s on the way.
 * @param {Record<string, any>} document
 * @param {string} ref
 */
export function pointer(document, ref) {
  let node = document;
  for (const part of ref.replace(/^#\//, "").split("/")) {
    node = node[decodeURIComponent(part).replaceAll("~1", "/").replaceAll("~0", "~")];
    if (node && typeof node.$ref === "string") node = pointer(document, node.$ref);
  }
  return node;
}

/**
 * The operation serving `(stream, action)`, if any.
 * @param {Contract} contract
 * @returns {Operation|undefined}
 */
export function findOperation(contract, stream, action) {
  return contract.routes.get(stream)?.get(action);
}

/**
 * The WebSocket URL of the API on the page's own host and scheme (`wss` under https).
 * @param {string} address the channel's address
 * @param {{protocol: string, host: string}} location the page's `window.location`
 */
export function socketUrl(address, location) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const path = address.startsWith("/") ? address : `/${address}`;
  return `${scheme}://${location.host}${path}`;
}
