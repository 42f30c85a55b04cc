/**
 * An action's request schema as a list of fields with their types and constraints, and the
 * place where errors land: each error goes to the field its `path` names (array indexes match
 * the field's `[]` row), or to the nearest enclosing field, or to the frame as a whole.
 * @module fields
 */

import { formatPath, h, replace } from "./dom.js";
import { isObject, resolve } from "./validation.js";

/**
 * @typedef {object} Field
 * @property {(string|number)[]} path from the frame root; `"*"` stands for any array index
 * @property {string} name e.g. `data.question_text`, `data.tags[].name`
 * @property {string} type e.g. `string (date-time)`, `integer | null`, `array of Tag`
 * @property {string[]} constraints e.g. `not blank`, `≤ 200 characters`, `≥ 0`, `one of "a", "b"`
 * @property {boolean} required
 * @property {string} description
 */

const ANY_INDEX = "*";

/**
 * The fields of a request frame schema: the payload's keys except `action`, and nested ones.
 * @param {string} requestName the component name of the request frame
 * @param {Record<string, any>} defs
 * @returns {Field[]}
 */
export function requestFields(requestName, defs) {
  const frame = resolve(`#/components/schemas/${requestName}`, defs);
  const payload = deref(frame.properties?.payload ?? {}, defs).schema;
  const required = new Set(payload.required ?? []);
  const fields = [];
  for (const [name, schema] of Object.entries(payload.properties ?? {})) {
    if (name === "action") continue;
    walk(schema, ["payload", name], name, required.has(name), defs, fields, new Set());
  }
  return fields;
}

function walk(schema, path, name, required, defs, fields, seen) {
  const { schema: resolved, ref } = deref(schema, defs);
  fields.push({
    path,
    name,
    type: describeType(schema, defs),
    constraints: constraints(resolved, defs),
    required,
    description: resolved.description ?? schema.description ?? "",
  });
  if (ref !== null) {
    if (seen.has(ref)) return;
    seen = new Set([...seen, ref]);
  }
  const object = objectOf(resolved, defs);
  if (object !== null) {
    const inner = new Set(object.required ?? []);
    for (const [key, child] of Object.entries(object.properties ?? {})) {
      walk(child, [...path, key], `${name}.${key}`, inner.has(key), defs, fields, seen);
    }
    return;
  }
  const items = arrayItems(resolved, defs);
  const itemObject = items === null ? null : objectOf(deref(items, defs).schema, defs);
  if (itemObject !== null) {
    const inner = new Set(itemObject.required ?? []);
    for (const [key, child] of Object.entries(itemObject.properties ?? {})) {
      walk(child, [...path, ANY_INDEX, key], `${name}[].${key}`, inner.has(key), defs, fields,
        seen);
    }
  }
}

/** The object schema with properties that `schema` is (or is a nullable form of), if any. */
function objectOf(schema, defs) {
  const option = single(schema, defs);
  if (option.type === "object" || (Array.isArray(option.type) && option.type.includes("object"))) {
    return Object.keys(option.properties ?? {}).length ? option : null;
  }
  return null;
}

function arrayItems(schema, defs) {
  const option = single(schema, defs);
  const isArray = option.type === "array"
    || (Array.isArray(option.type) && option.type.includes("array"));
  return isArray && isObject(option.items) ? option.items : null;
}

/** `anyOf: [X, {type: null}]` read as X. */
function single(schema, defs) {
  if (!Array.isArray(schema.anyOf)) return schema;
  const others = schema.anyOf.filter((option) => option.type !== "null");
  return others.length === 1 ? deref(others[0], defs).schema : schema;
}

function deref(schema, defs) {
  if (!isObject(schema) || typeof schema.$ref !== "string") return { schema, ref: null };
  return { schema: resolve(schema.$ref, defs), ref: schema.$ref };
}

/**
 * A short type for people: `string (email)`, `integer | null`, `array of Tag`.
 * @returns {string}
 */
export function describeType(schema, defs) {
  if (!isObject(schema)) return "any";
  if (typeof schema.$ref === "string") {
    const target = resolve(schema.$ref, defs);
    const name = schema.$ref.split("/").pop();
    return target.type === "object" ? name : `${name}: ${describeType(target, defs)}`;
  }
  if ("const" in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return "enum";
  if (Array.isArray(schema.anyOf)) {
    return schema.anyOf.map((option) => describeType(option, defs)).join(" | ");
  }
  const kinds = Array.isArray(schema.type) ? schema.type : [schema.type ?? "any"];
  return kinds.map((kind) => describeKind(schema, kind, defs)).join(" | ");
}

function describeKind(schema, kind, defs) {
  if (kind === "array") return `array of ${describeType(schema.items ?? {}, defs)}`;
  if (kind === "object" && isObject(schema.additionalProperties)) {
    return `object of ${describeType(schema.additionalProperties, defs)}`;
  }
  if (kind === "string" && schema.format) return `string (${schema.format})`;
  return kind;
}

/**
 * The constraints a value must meet, for people.
 * @returns {string[]}
 */
export function constraints(schema, defs) {
  const found = [];
  const { minLength, maxLength, minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  if (minLength === 1) found.push("not blank");
  else if (minLength !== undefined) found.push(`≥ ${minLength} characters`);
  if (maxLength !== undefined) found.push(`≤ ${maxLength} characters`);
  if (schema.pattern !== undefined) found.push(`matches /${schema.pattern}/`);
  if (minimum !== undefined) found.push(`≥ ${minimum}`);
  if (exclusiveMinimum !== undefined) found.push(`> ${exclusiveMinimum}`);
  if (maximum !== undefined) found.push(`≤ ${maximum}`);
  if (exclusiveMaximum !== undefined) found.push(`< ${exclusiveMaximum}`);
  if (schema.minItems !== undefined) found.push(`≥ ${schema.minItems} items`);
  if (schema.maxItems !== undefined) found.push(`≤ ${schema.maxItems} items`);
  if (schema.minProperties !== undefined) found.push(`≥ ${schema.minProperties} keys`);
  if (Array.isArray(schema.enum)) found.push(`one of ${schema.enum.map(show).join(", ")}`);
  if (Array.isArray(schema.anyOf)) {
    for (const option of schema.anyOf) found.push(...constraints(deref(option, defs).schema, defs));
  }
  if (isObject(schema.items)) {
    const items = constraints(deref(schema.items, defs).schema, defs);
    found.push(...items.map((text) => `each ${text}`));
  }
  if (schema.default !== undefined) found.push(`default ${show(schema.default)}`);
  return found;
}

function show(value) {
  return JSON.stringify(value);
}

/** The fields list on the page, with the errors of the last check or reply attached. */
export class FieldsView {
  /** @param {HTMLElement} container */
  constructor(container) {
    this.container = container;
    /** @type {Field[]} */
    this.fields = [];
    /** @type {Map<string, HTMLElement>} */
    this.rows = new Map();
  }

  /** @param {Field[]} fields */
  show(fields) {
    this.fields = fields;
    this.rows.clear();
    const items = fields.map((field) => {
      const row = fieldRow(field);
      this.rows.set(pathKey(field.path), row);
      return row;
    });
    replace(this.container, fields.length
      ? h("ul", { className: "fields" }, items)
      : h("p", { className: "muted" }, "This action's payload has no fields."));
  }

  /**
   * Attach each error to its field; returns the errors no field could take.
   * @param {{code: string, message: string, path: (string|number)[]}[]} errors
   */
  showErrors(errors) {
    this.clearErrors();
    const unplaced = [];
    for (const error of errors) {
      const row = this.rowFor(error.path ?? []);
      if (row === null) {
        unplaced.push(error);
        continue;
      }
      const exact = row.dataset.path === pathKey(error.path ?? []);
      row.classList.add("has-error");
      row.querySelector(".field-errors").append(fieldError(error, exact));
    }
    return unplaced;
  }

  clearErrors() {
    for (const row of this.rows.values()) {
      row.classList.remove("has-error");
      row.querySelector(".field-errors").replaceChildren();
    }
  }

  /** The row for a path: exact, with indexes as `[]`, else the nearest ancestor's. */
  rowFor(path) {
    const general = path.map((part) => (typeof part === "number" ? ANY_INDEX : part));
    for (let length = general.length; length > 1; length -= 1) {
      const row = this.rows.get(pathKey(general.slice(0, length)));
      if (row) return row;
    }
    return null;
  }
}

function pathKey(path) {
  return JSON.stringify(path);
}

function fieldRow(field) {
  return h("li", { className: "field", dataset: { field: field.name, path: pathKey(field.path) } },
    h("div", { className: "field-head" },
      h("code", { className: "field-name" }, field.name),
      field.required ? h("span", { className: "badge required" }, "required") : null,
      h("span", { className: "field-type" }, field.type)),
    field.constraints.length
      ? h("ul", { className: "constraints", aria: { label: "Constraints" } },
        field.constraints.map((text) => h("li", {}, text)))
      : null,
    field.description ? h("p", { className: "field-description" }, field.description) : null,
    h("ul", { className: "field-errors", aria: { live: "polite" } }));
}

/** One error under its field; its full path too when it is deeper than the field. */
function fieldError(error, exact) {
  const path = formatPath(error.path ?? []);
  return h("li", { className: "field-error", title: path },
    h("span", { className: "error-code" }, error.code), " ",
    h("span", { className: "error-message" }, error.message),
    exact ? null : h("code", { className: "error-path" }, path));
}
