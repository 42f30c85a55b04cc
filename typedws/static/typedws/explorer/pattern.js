/**
 * JSON Schema `pattern`s as the server reads them: Python's `re.search`, translated to a
 * JavaScript `RegExp` (Unicode mode).
 *
 * The server compiles patterns with Python's `re`, whose dialect differs from ECMA-262 in ways
 * that matter for typedws's patterns: `$` also matches before a final newline, `.` excludes
 * only `\n`, `\d`, `\w` and `\s` are Unicode-aware, `{,n}` is a quantifier, and `(?P<name>)`
 * names a group. The translation covers those; a pattern the browser still cannot compile
 * (inline flags, atomic groups) is reported as unchecked rather than guessed.
 *
 * @module pattern
 */

const DIGIT = "\\p{Nd}";
const WORD = "\\p{L}\\p{N}_";
const SPACE = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/** Escapes whose meaning is the same in both dialects. */
const SAME_ESCAPES = new Set(["b", "B", "n", "r", "t", "f", "v", "x", "u", "0", "1", "2", "3",
  "4", "5", "6", "7", "8", "9"]);
/** Characters an escape may keep in JavaScript's Unicode mode. */
const SYNTAX = new Set([..."^$\\.*+?()[]{}|/"]);

/** Character-class shorthands: [outside a class, inside a class]. */
const CLASSES = {
  d: [`[${DIGIT}]`, DIGIT],
  D: [`[^${DIGIT}]`, "\\P{Nd}"],
  w: [`[${WORD}]`, WORD],
  s: [`[${SPACE}]`, SPACE],
  S: [`[^${SPACE}]`, null],
  W: [`[^${WORD}]`, null],
};

const cache = new Map();

/**
 * The `RegExp` equivalent of a Python pattern, or `null` when the browser cannot express it.
 * @param {string} pattern
 * @returns {RegExp | null}
 */
export function compilePattern(pattern) {
  if (!cache.has(pattern)) {
    let regexp = null;
    try {
      regexp = new RegExp(translate(pattern), "u");
    } catch {
      regexp = null;
    }
    cache.set(pattern, regexp);
  }
  return cache.get(pattern);
}

/**
 * Python `re` syntax rewritten for ECMA-262 Unicode mode.
 * @param {string} pattern
 * @returns {string}
 */
export function translate(pattern) {
  const chars = [...pattern];
  let out = "";
  let members = -1; // characters read inside the current class; -1 outside any class
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i];
    if (c === "\\") {
      out += escape(chars[i + 1] ?? "", members >= 0, chars.slice(i + 2, i + 10));
      i += chars[i + 1] === "U" ? 9 : 1;
      if (members >= 0) members += 1;
    } else if (members >= 0) {
      if (c === "^" && members === 0 && chars[i - 1] === "[") {
        out += c; // negation: the next character is still the class's first
      } else if (c === "]" && members > 0) {
        out += c;
        members = -1;
      } else {
        out += c === "]" || c === "[" ? `\\${c}` : c; // a leading `]` is a literal in Python
        members += 1;
      }
    } else if (c === "[") {
      out += c;
      members = 0;
    } else {
      const [text, skip] = outside(chars, i);
      out += text;
      i += skip;
    }
  }
  return out;
}

/** One character outside a class: `[text, extra characters consumed]`. */
function outside(chars, i) {
  const c = chars[i];
  if (c === "$") return ["(?=\\n?$)", 0];
  if (c === ".") return ["[^\\n]", 0];
  if (c === "]" || c === "}") return [`\\${c}`, 0];
  if (c === "{") return quantifier(chars, i);
  if (c === "(" && chars[i + 1] === "?" && chars[i + 2] === "P") {
    if (chars[i + 3] === "<") return ["(?<", 3];
    if (chars[i + 3] === "=") {
      const end = chars.indexOf(")", i);
      return [`\\k<${chars.slice(i + 4, end).join("")}>`, end - i];
    }
  }
  return [c, 0];
}

/** `{m,n}` stays a quantifier (`{,n}` becomes `{0,n}`); any other `{` is a literal. */
function quantifier(chars, i) {
  const rest = chars.slice(i, i + 24).join("");
  const match = /^\{(\d*)(,?)(\d*)\}/.exec(rest);
  if (!match || (match[1] === "" && match[3] === "") || (match[2] === "" && match[1] === "")) {
    return ["\\{", 0];
  }
  const low = match[1] === "" ? "0" : match[1];
  return [`{${low}${match[2]}${match[3]}}`, match[0].length - 1];
}

/** The escape `\c` in or out of a class; `next` holds the characters after it. */
function escape(c, inClass, next) {
  if (c in CLASSES) {
    const [out, within] = CLASSES[c];
    if (!inClass) return out;
    if (within === null) throw new SyntaxError(`\\${c} inside a class`);
    return within;
  }
  if (c === "A") return "^";
  if (c === "Z") return "$";
  if (c === "U") return `\\u{${next.join("")}}`;
  if (c === "N") throw new SyntaxError("\\N{...} names");
  if (SAME_ESCAPES.has(c) || SYNTAX.has(c) || (c === "-" && inClass)) return `\\${c}`;
  if (/[A-Za-z]/.test(c)) throw new SyntaxError(`unknown escape \\${c}`);
  return `\\u{${c.codePointAt(0).toString(16)}}`;
}

