/**
 * A JSON value checked against one of the contract's JSON Schemas, with the server's verdict.
 *
 * The mirror of `typedws/validation.py`: the same keyword subset, read with the same
 * precedence (`$ref`, `const`, `enum`, `anyOf`, `allOf`, then `type`), and every problem
 * reported as the server reports it, `{code, message, path}` with the same codes and paths in
 * the same order. Messages follow the server's wording but may differ; codes and paths are
 * the contract (tested against the shared corpus and the server's validator).
 *
 * ```js
 * validate({ $ref: "#/components/schemas/QuestionsCreateRequest" }, frame, schemas)
 * // [{ code: "max_length", message: "...", path: ["payload", "data", "question_text"] }]
 * ```
 *
 * @module validation
 */

import { compilePattern } from "./pattern.js";

/** @typedef {(string|number)[]} Path */
/** @typedef {{code: string, message: string, path: Path}} ErrorItem */
/** @typedef {Record<string, any>} Schema */

export const REF_PREFIX = "#/components/schemas/";

const TYPE_NAMES = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean",
  object: "an object",
  array: "an array",
  null: "null",
};

/**
 * Every problem of `value` against `schema`; `[]` when valid.
 * @param {Schema} schema
 * @param {unknown} value
 * @param {Record<string, Schema>} definitions the document's `components.schemas`
 * @param {Path} [path] where `value` sits in the frame
 * @returns {ErrorItem[]}
 */
export function validate(schema, value, definitions, path = []) {
  return check(schema, value, path, definitions);
}

/** How the protocol's messages name a JSON value's type. */
export function jsonType(value) {
  if (value === null) return "null";
  if (typeof value === "boolean") return "a boolean";
  if (typeof value === "number") return "a number";
  if (typeof value === "string") return "a string";
  if (Array.isArray(value)) return "an array";
  return "an object";
}

/** A JSON object: not null, not an array. */
export function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** @returns {ErrorItem} */
export function errorItem(code, message, path) {
  return { code, message, path };
}

function check(schema, value, path, defs) {
  if (!isObject(schema)) return [];
  if (has(schema, "$ref")) return check(resolve(schema.$ref, defs), value, path, defs);
  if (has(schema, "const")) return literal([schema.const], value, path);
  if (has(schema, "enum")) return literal(schema.enum, value, path);
  if (has(schema, "anyOf")) return anyOf(schema.anyOf, value, path, defs);
  if (has(schema, "allOf")) return allOf(schema, value, path, defs);
  const kind = schema.type;
  if (kind === undefined) return [];
  if (Array.isArray(kind)) return types(schema, kind, value, path, defs);
  return typed(schema, kind, value, path, defs);
}

/**
 * The component a `$ref` names.
 * @param {string} ref
 * @param {Record<string, Schema>} defs
 * @returns {Schema}
 */
export function resolve(ref, defs) {
  const name = ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
  const schema = Object.hasOwn(defs, name) ? defs[name] : undefined;
  if (schema === undefined) throw new Error(`Unknown schema ${ref}`);
  return schema;
}

function literal(values, value, path) {
  if (values.some((expected) => jsonEqual(value, expected))) return [];
  const shown = typeof value === "string" ? value : JSON.stringify(value);
  return [errorItem("invalid_choice", `"${shown}" is not a valid choice.`, path)];
}

/** JSON equality: `true` is not `1`, objects compare by members. */
export function jsonEqual(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length
      && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length
      && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return a === b;
}

function anyOf(options, value, path, defs) {
  const isNull = (option) => jsonEqual(option, { type: "null" });
  const others = options.filter((option) => !isNull(option));
  if (value === null && others.length < options.length) return [];
  if (others.length === 1) return check(others[0], value, path, defs);
  return union(others.map((option) => () => check(option, value, path, defs)), path,
    "a valid value");
}

/** Like the server's chain: each part in turn, stopping at the first that fails. */
function allOf(schema, value, path, defs) {
  const { allOf: parts, ...rest } = schema;
  for (const part of [rest, ...parts]) {
    const errors = check(part, value, path, defs);
    if (errors.length) return errors;
  }
  return [];
}

function types(schema, kinds, value, path, defs) {
  const others = kinds.filter((kind) => kind !== "null");
  if (value === null && others.length < kinds.length) return [];
  if (others.length === 1) return typed(schema, others[0], value, path, defs);
  const expected = others.map((kind) => TYPE_NAMES[kind]).join(" or ");
  return union(others.map((kind) => () => typed(schema, kind, value, path, defs)), path,
    expected);
}

/** Valid when one choice is; otherwise one `invalid` error for the whole value. */
function union(choices, path, expected) {
  if (choices.some((choice) => choice().length === 0)) return [];
  return [errorItem("invalid", `Expected ${expected}.`, path)];
}

function typed(schema, kind, value, path, defs) {
  switch (kind) {
    case "object": return object(schema, value, path, defs);
    case "array": return array(schema, value, path, defs);
    case "string": return string(schema, value, path);
    case "integer": return integer(schema, value, path);
    case "number": return number(schema, value, path);
    case "boolean": return typeof value === "boolean" ? [] : typeError(kind, value, path);
    case "null": return value === null ? [] : typeError(kind, value, path);
    default: throw new Error(`Unknown JSON Schema type ${kind}`);
  }
}

function typeError(kind, value, path) {
  return [errorItem("invalid", `Expected ${TYPE_NAMES[kind]}, got ${jsonType(value)}.`, path)];
}

function object(schema, value, path, defs) {
  if (!isObject(value)) return typeError("object", value, path);
  const properties = schema.properties ?? {};
  const additional = schema.additionalProperties ?? true;
  if (Object.keys(properties).length === 0 && additional !== false) {
    return mapping(schema, additional, value, path, defs);
  }
  const required = new Set(schema.required ?? []);
  const errors = [];
  for (const [name, property] of Object.entries(properties)) {
    if (Object.hasOwn(value, name)) {
      errors.push(...check(property, value[name], [...path, name], defs));
    } else if (required.has(name)) {
      errors.push(errorItem("required", "This field is required.", [...path, name]));
    }
  }
  const undescribed = [...required].filter((name) => !Object.hasOwn(properties, name)).sort();
  for (const name of undescribed) {
    if (!Object.hasOwn(value, name)) {
      errors.push(errorItem("required", "This field is required.", [...path, name]));
    }
  }
  const known = new Set([...Object.keys(properties), ...undescribed]);
  for (const key of Object.keys(value).filter((key) => !known.has(key))) {
    if (additional === false) {
      errors.push(errorItem("unknown_field", `Unknown field '${key}'.`, [...path, key]));
    } else if (isObject(additional)) {
      errors.push(...check(additional, value[key], [...path, key], defs));
    }
  }
  return errors;
}

/** An object with no declared properties: every value against `additionalProperties`. */
function mapping(schema, additional, value, path, defs) {
  const errors = [];
  if (isObject(additional)) {
    for (const [key, item] of Object.entries(value)) {
      errors.push(...check(additional, item, [...path, key], defs));
    }
  }
  if (errors.length) return errors;
  const count = Object.keys(value).length;
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    const message = `Ensure this field has at least ${schema.minProperties} elements.`;
    return [errorItem("min_length", message, path)];
  }
  return [];
}

function array(schema, value, path, defs) {
  if (!Array.isArray(value)) return typeError("array", value, path);
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    const message = `Ensure this field has no more than ${schema.maxItems} elements.`;
    return [errorItem("max_length", message, path)];
  }
  const items = schema.items ?? {};
  const errors = value.flatMap((item, index) => check(items, item, [...path, index], defs));
  if (errors.length) return errors;
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    const message = `Ensure this field has at least ${schema.minItems} elements.`;
    return [errorItem("min_length", message, path)];
  }
  return [];
}

/** One error at most, in the server's order: length, then pattern. */
function string(schema, value, path) {
  if (typeof value !== "string") return typeError("string", value, path);
  const length = [...value].length; // code points, as Python counts
  const { minLength, maxLength, pattern } = schema;
  if (minLength !== undefined && length < minLength) {
    if (minLength === 1) return [errorItem("blank", "This field may not be blank.", path)];
    const message = `Ensure this field has at least ${minLength} characters.`;
    return [errorItem("min_length", message, path)];
  }
  if (maxLength !== undefined && length > maxLength) {
    const message = `Ensure this field has no more than ${maxLength} characters.`;
    return [errorItem("max_length", message, path)];
  }
  if (pattern !== undefined) {
    const regexp = compilePattern(pattern);
    if (regexp !== null && !regexp.test(value)) {
      return [errorItem("invalid", "This value does not match the pattern.", path)];
    }
  }
  return [];
}

/** JSON Schema's integer: a number without a fractional part (`1.0` too), not a boolean. */
function integer(schema, value, path) {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    return [errorItem("invalid", "A valid integer is required.", path)];
  }
  return bounds(schema, value, path);
}

function number(schema, value, path) {
  if (typeof value !== "number") return typeError("number", value, path);
  return bounds(schema, value, path);
}

function bounds(schema, value, path) {
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  if (minimum !== undefined && value < minimum) {
    return [bound("min_value", `greater than or equal to ${minimum}`, path)];
  }
  if (exclusiveMinimum !== undefined && value <= exclusiveMinimum) {
    return [bound("min_value", `greater than ${exclusiveMinimum}`, path)];
  }
  if (maximum !== undefined && value > maximum) {
    return [bound("max_value", `less than or equal to ${maximum}`, path)];
  }
  if (exclusiveMaximum !== undefined && value >= exclusiveMaximum) {
    return [bound("max_value", `less than ${exclusiveMaximum}`, path)];
  }
  return [];
}

function bound(code, limit, path) {
  return errorItem(code, `Ensure this value is ${limit}.`, path);
}

function has(object, key) {
  return Object.hasOwn(object, key);
}
