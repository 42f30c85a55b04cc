/**
 * The few DOM helpers the explorer's views share.
 * @module dom
 */

/**
 * Create an element: `h("button", {type: "button", onclick}, "Send")`.
 * Keys starting with `on` add listeners, `dataset` and `aria` objects set `data-*` and `aria-*`
 * attributes, a few keys (`className`, `value`, ...) are properties, any other is an attribute
 * (`true` makes it present); children are nodes or strings (`null`/`false` are skipped).
 * @param {string} tag
 * @param {Record<string, any>} [props]
 * @param {...(Node|string|number|null|false|undefined)} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key === "aria") setAria(element, value);
    else if (PROPERTIES.has(key)) element[key] = value;
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  return append(element, children);
}

/** Keys set as properties rather than attributes. */
const PROPERTIES = new Set(["className", "textContent", "value", "checked", "open", "hidden"]);

function setAria(element, values) {
  for (const [name, value] of Object.entries(values)) element.setAttribute(`aria-${name}`, value);
}

/** Append children, skipping empty ones. */
export function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replace an element's content. */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/**
 * Look an element up by id, failing loudly when the page's HTML lacks it.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`The explorer page has no #${id}`);
  return element;
}

/** A JSON path for people: `payload › data › question_text`, `[]` as `(frame)`. */
export function formatPath(path) {
  return path.length ? path.join(" › ") : "(frame)";
}

/**
 * Copy text to the clipboard; falls back to a selection where the Clipboard API is missing
 * (pages on plain http other than localhost are not a secure context).
 * @param {string} text
 * @returns {Promise<void>}
 */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = h("textarea", { value: text, readonly: true, className: "offscreen" });
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("The browser refused to copy.");
}
