/**
 * The list of streams and their actions; arrow keys move between actions, Enter or Space
 * picks one (then focus moves to the editor).
 * @module nav
 */

import { h, replace } from "./dom.js";

/**
 * @param {HTMLElement} container
 * @param {import("./contract.js").Contract} contract
 * @param {(operation: import("./contract.js").Operation, byKeyboard: boolean) => void} onPick
 */
export function renderNav(container, contract, onPick) {
  const sections = contract.streams.map((stream) => h("section", { className: "stream" },
    h("h3", { className: "stream-name" }, stream.name),
    stream.description ? h("p", { className: "stream-description" }, stream.description) : null,
    h("ul", { className: "actions" }, stream.actions.map((operation) => h("li", {},
      h("button", {
        type: "button",
        className: "action",
        dataset: { operation: operation.id },
        title: operation.summary,
        // A keyboard activation is a click with detail 0.
        onclick: (event) => onPick(operation, event.detail === 0),
      },
      h("span", { className: "action-name" }, operation.action),
      h("span", { className: `method method--${operation.method.toLowerCase()}` },
        operation.method)))))));
  replace(container, sections);
  container.addEventListener("keydown", (event) => moveFocus(container, event));
}

/** Mark the picked action (`aria-current`). */
export function markCurrent(container, operationId) {
  for (const button of container.querySelectorAll("button.action")) {
    if (button.dataset.operation === operationId) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
}

function moveFocus(container, event) {
  const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
  if (step === undefined) return;
  const buttons = [...container.querySelectorAll("button.action")];
  const index = buttons.indexOf(document.activeElement);
  if (index < 0) return;
  event.preventDefault();
  buttons[(index + step + buttons.length) % buttons.length].focus();
}
