// sentigru web page: runs the site's model.tflite with MediaPipe Tasks for Web
// (TextClassifier, WebAssembly) and shows the label and scores of what is typed.
//
// For scripts: window.sentigru.ready (a Promise that resolves with the model's details
// once it is loaded, and rejects with a readable message when it cannot be),
// window.sentigru.classify(text) (a Promise of [{label, score}, ...], every label,
// highest score first) and window.sentigru.read(text) (a Promise of {known, unknown,
// unread, truncated, nul}: the words of the text the model has in its vocabulary, those
// it reads as unknown, those in other scripts it drops whole, and whether it cuts the
// text, as `sentigru predict --json` counts them; for a SentencePiece model, known 0
// where it knows no piece of the text, and null for the rest, which needs SentencePiece).

// The page's elements. The status is replaced at once: index.html's own text there is
// for a page whose script never runs.
const input = document.getElementById("text");
const labelView = document.getElementById("label");
const scoresView = document.getElementById("scores");
const statusView = document.getElementById("status");
const announcer = document.getElementById("announce");
statusView.textContent = "Loading the model…";
statusView.className = "status";

const config = JSON.parse(document.getElementById("sentigru-config").textContent);
const DEBOUNCE_MS = 120;
// A result is announced to screen readers once it has stood this long, so that a
// pause in typing does not interrupt the reader with every intermediate result.
const ANNOUNCE_MS = 1000;
// After an error that names a file or a status code: what a visitor can do about it.
const RETRY = "Reload the page; if this stays, tell the site's owner";

// MediaPipe's errors end in a C++ source trace, which says nothing to the reader; a
// script that fails to load rejects with an Event, named here by its script's URL.
function messageOf(error) {
  let text;
  if (error instanceof Error) {
    text = error.message;
  } else if (typeof Event !== "undefined" && error instanceof Event) {
    const source = error.target && (error.target.src || error.target.href);
    text = source ? `${source} could not be loaded` : `a failed ${error.type || "load"} event`;
  } else {
    text = String(error);
  }
  text = text.split("=== Source Location Trace")[0].replace(/ Build with -s\w+ for more info\.?/, "");
  text = text.trim();
  const opaque = /^\[object (\w+)\]$/.exec(text);
  if (opaque) return `unknown error (${opaque[1]})`;
  return text || "unknown error";
}

function absolute(path) {
  return new URL(path, document.baseURI).href;
}

function megabytes(bytes) {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

// Fetches the model, refusing it before it reaches WebAssembly if it is larger than the
// limit (by its Content-Length, then by the bytes actually read) or is no TFLite file.
// onProgress(bytes) follows each piece that arrives.
async function fetchModel(url, limit, signal, onProgress) {
  let response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    throw new Error(`cannot fetch ${MODEL_FILE}: ${messageOf(error)}`);
  }
  if (!response.ok) {
    throw new Error(`cannot fetch ${MODEL_FILE}: HTTP ${response.status}`);
  }
  onProgress(0);
  const tooLarge = (size) =>
    new Error(`${MODEL_FILE} is ${size.toLocaleString("en")} bytes or more; ` +
              `this page refuses models over ${megabytes(limit)}`);
  const declared = Number(response.headers.get("Content-Length") || 0);
  if (declared > limit) {
    response.body?.cancel();
    throw tooLarge(declared);
  }
  const reader = response.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge(total);
    }
    chunks.push(value);
    onProgress(total);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  // A TFLite flatbuffer carries the file identifier "TFL3" at bytes 4 to 8.
  if (total < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== "TFL3") {
    throw new Error(`${MODEL_FILE} is not a TFLite model (no TFL3 file identifier)`);
  }
  return bytes;
}

// --------------------------------------------------------- the words the model knows

// The bytes of a file stored (uncompressed) in the zip archive appended to the model, as
// sentigru and the TFLite metadata writers pack vocab.txt; null when there is none.
function storedFile(bytes, name) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const entries = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const decoder = new TextDecoder();
  for (let n = 0; n < entries && at + 46 <= bytes.length; n++) {
    if (view.getUint32(at, true) !== 0x02014b50) return null;
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    if (decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength)) === name) {
      if (method !== 0 || local + 30 > bytes.length) return null;
      const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      return start + size <= bytes.length ? bytes.subarray(start, start + size) : null;
    }
    at += 46 + skip;
  }
  return null;
}

// vocab.txt as the phone reads it: lines split on "\n", a trailing "\r" dropped, empty
// lines skipped, the first field of a line (split on " ") mapped to the number after it.
function parseVocab(bytes) {
  const ids = new Map();
  for (let line of new TextDecoder().decode(bytes).split("\n")) {
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (!line) continue;
    const [word, id] = line.split(" ");
    if (!ids.has(word)) ids.set(word, Number.parseInt(id, 10));
  }
  return ids;
}

// The contract's regex tokenizer: the text ends at a NUL and splits on [^\w']+, where \w
// is ASCII only (as in RE2, and in a JavaScript regex without the u flag); the model
// reads the first seqLen - 1 words, after <START>, and cuts the rest. Ids above 2 are
// words it knows, unless the word was cut out of a longer one at a letter the tokenizer
// cannot read ("caf" of "café"): the model knows that fragment, not the word. Which
// characters cut a word (Latin, Greek and Cyrillic letters beyond ASCII, and combining
// marks) comes as runs of code points from Python (tokenizer.cut_table), so that the
// page and `sentigru predict` agree whatever Unicode version the browser knows; so do
// the invisible characters (soft hyphen, zero-width space: tokenizer.hidden_table) that
// cut a word when it goes on past them (tokenizer._hidden_cut).
function codePointRuns(flat) {
  const runs = [];
  let previous = 0;
  for (let i = 0; i + 1 < (flat || []).length; i += 2) {
    const start = previous + flat[i];
    previous = start + flat[i + 1];
    runs.push([start, previous]);
  }
  return runs;
}

const CUTTING = codePointRuns(config.words && config.words.cutting);
const HIDDEN = codePointRuns(config.words && config.words.hidden);
// Word characters beyond ASCII and emoji (tokenizer.unread_table): runs of them are
// words in other scripts (Korean, Japanese, Arabic ...) or emoji that the tokenizer
// drops whole; and emoticons (tokenizer.EMOTICON, an ASCII regex), which it reads as
// punctuation.
const UNREAD = codePointRuns(config.words && config.words.unread);
// Letters of scripts written without spaces (tokenizer.unspaced_table): a run of them
// counts one word for every two (tokenizer.words_in_run), not one.
const UNSPACED = codePointRuns(config.words && config.words.unspaced);
const EMOTICON = new RegExp((config.words && config.words.emoticon) || "(?!)", "g");

// Where the emoticons stand: [start, end, face], each not after a word character (the
// look behind of tokenizer.EMOTICON, checked here: Safari before 16.4 has none).
function facesOf(text) {
  return Array.from(text.matchAll(EMOTICON))
    .filter((m) => m.index === 0 || !/[\w']/.test(text[m.index - 1]))
    .map((m) => [m.index, m.index + m[0].length, m[0]]);
}

function inRuns(runs, char) {
  if (char === undefined) return false;
  const point = char.codePointAt(0);
  if (point <= 127) return false;
  let low = 0;
  let high = runs.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, end] = runs[middle];
    if (point < start) high = middle - 1;
    else if (point > end) low = middle + 1;
    else return true;
  }
  return false;
}

function cutsWord(char) {
  return inRuns(CUTTING, char);
}

function isWordChar(char) {
  return char !== undefined && /^[0-9A-Za-z_']$/.test(char);
}

// Whether the word body[start, stop) meets an invisible character with the word going
// on past it (tokenizer._hidden_cut): half of a word that character cut.
function hiddenCut(body, start, stop) {
  const before = Array.from(body.slice(Math.max(0, start - 2), start)).pop();
  if (before !== undefined && inRuns(HIDDEN, before)) {
    const at = start - before.length;
    if (isWordChar(Array.from(body.slice(Math.max(0, at - 2), at)).pop())) return true;
  }
  if (stop >= body.length) return false;
  const after = String.fromCodePoint(body.codePointAt(stop));
  if (!inRuns(HIDDEN, after)) return false;
  const next = stop + after.length;
  return next < body.length && isWordChar(String.fromCodePoint(body.codePointAt(next)));
}

// Words the tokenizer drops whole, as Tokenizer.unread_words counts them: emoticons of
// punctuation alone, and runs of word characters beyond ASCII or emoji, but for a run of
// cut letters touching an ASCII word (the é of café, counted with that word); in the
// text's first readChars characters an id, and at most seqLen - 1 of them.
function unreadWords(looked, seqLen, faces) {
  const chars = Array.from(looked);
  // An emoticon with a word in it (<3, :D) counts there, as a fragment (countWords).
  let count = faces.filter(([, , face]) => !/[\w']/.test(face)).length;
  for (let i = 0; i < chars.length && count < seqLen - 1; ) {
    if (!inRuns(UNREAD, chars[i])) {
      i++;
      continue;
    }
    let j = i;
    let letters = 0;
    for (; j < chars.length && inRuns(UNREAD, chars[j]); j++) {
      if (inRuns(UNSPACED, chars[j])) letters++;
    }
    const left = i > 0 && isWordChar(chars[i - 1]) && cutsWord(chars[i]);
    const right = j < chars.length && isWordChar(chars[j]) && cutsWord(chars[j - 1]);
    if (!(left || right)) count += Math.max(1, Math.floor((letters + 1) / 2));
    i = j;
  }
  return Math.min(count, seqLen - 1);
}

function countWords(ids, seqLen, text) {
  const body = String(text);
  const end = body.indexOf("\0");
  const head = end < 0 ? body : body.slice(0, end);
  const words = new RegExp(config.words.token, "g");
  let known = 0;
  let read = 0;
  const most = config.words.readChars * seqLen; // code points; two UTF-16 units at most each
  const looked = Array.from(head.slice(0, 2 * most)).slice(0, most).join("");
  // Words inside an emoticon (the 3 of <3, the D of :D) are fragments, as cut words are.
  const faces = facesOf(looked);
  const unread = unreadWords(looked, seqLen, faces);
  // Text after a NUL is not read either (sentigru.contract.cut_at_nul).
  let nul = false;
  for (let i = end + 1; end >= 0 && i < body.length && !nul; i++) {
    nul = !config.words.nulBlanks.includes(body[i]);
  }
  let face = 0;
  for (let match; (match = words.exec(head)) !== null; ) {
    if (read === seqLen - 1) return { known, unknown: read - known, unread, truncated: true, nul };
    read++;
    const start = match.index;
    const stop = start + match[0].length;
    const before = Array.from(body.slice(Math.max(0, start - 2), start)).pop();
    const after = stop < body.length ? String.fromCodePoint(body.codePointAt(stop)) : undefined;
    while (face < faces.length && faces[face][1] <= start) face++; // words come in order
    const inFace = face < faces.length && faces[face][0] <= start && stop <= faces[face][1];
    // a word of quote marks alone (' or '') says nothing of the text (Tokenizer.cut_known)
    const quotes = /^'+$/.test(match[0]);
    const cut = cutsWord(before) || cutsWord(after) || hiddenCut(head, start, stop) || quotes;
    if (ids.get(match[0]) > config.words.unknownId && !cut && !inFace) known++;
  }
  return { known, unknown: read - known, unread, truncated: nul, nul };
}

// A SentencePiece model: the page has no SentencePiece to count its pieces, so it tells
// only where the model knows none, as `sentigru predict` says "read": "none". A piece is
// known when it holds a character of config.pieces.counted (the letters, digits and
// symbols of the pieces the model learnt, sentigru.pieces.Pieces.characters); a character
// of neither list is spelt in byte pieces, one per UTF-8 byte. The model reads seqLen - 2
// pieces, the first a word boundary, so a known character is read while, counting each
// at its most, fewer pieces than that came before it.
const COUNTED = new Set(config.pieces ? Array.from(config.pieces.counted) : []);
const OTHER = new Set(config.pieces ? Array.from(config.pieces.other) : []);
const utf8 = new TextEncoder();

function readsAPiece(text) {
  const body = String(text);
  const end = body.indexOf("\0");
  const head = (end < 0 ? body : body.slice(0, end)).replace(/[A-Z]+/g, (s) => s.toLowerCase());
  let room = config.pieces.seqLen - 3; // [CLS], [SEP] and the first word boundary
  let space = false;
  for (const char of head.normalize("NFKC").toLowerCase()) {
    if (room < 1) return false;
    if (/\s/.test(char)) {
      if (!space) room--; // runs of spaces are one word boundary
      space = true;
      continue;
    }
    space = false;
    if (COUNTED.has(char)) return true;
    room -= OTHER.has(char) ? 1 : utf8.encode(char).length;
  }
  return false;
}

// ------------------------------------------------------------------------- loading

// Limits, so that a slow connection is not taken for a broken one: the model's download
// fails only when it makes no progress for config.loadTimeoutMs, and MediaPipe's script,
// if it is not in with the model, has that long again; once both are in, MediaPipe's own
// work, which the page cannot follow (its WebAssembly build, 7 MB, downloaded and
// compiled, then the graph started), gets config.startTimeoutMs.
const STALL_MS = config.loadTimeoutMs;
const START_MS = config.startTimeoutMs ?? 6 * config.loadTimeoutMs;
// the model file's name, as messages give it: its URL carries the content's version
const MODEL_FILE = config.model.url.split("?")[0];
const loadAbort = new AbortController();
let timedOut = false;
let closed = false;
let wordIds = null;
let rejectLate;
const lateness = new Promise((resolve, reject) => {
  rejectLate = reject;
});
let loadTimer;

// (Re)starts the load's timer: when it runs out, `ready` rejects with message().
function deadline(milliseconds, message) {
  clearTimeout(loadTimer);
  loadTimer = setTimeout(() => {
    timedOut = true;
    loadAbort.abort();
    rejectLate(new Error(message()));
  }, milliseconds);
}

function seconds(milliseconds) {
  return `${(milliseconds / 1000).toLocaleString("en")} s`;
}

function kibibytes(bytes) {
  return `${Math.round(bytes / 1024).toLocaleString("en")} KiB`;
}

// A WebAssembly compile refused by a Content-Security-Policy (the page's or the host's).
let wasmRefused = false;
document.addEventListener("securitypolicyviolation", (event) => {
  if (event.blockedURI === "wasm-eval") wasmRefused = true;
});

// Why MediaPipe's WebAssembly could not start, if it is that and not the model: a
// refused compile, or a loader script or .wasm the server does not give; null otherwise.
// (FilesetResolver only builds the URLs: the files are fetched by createFromOptions.)
async function wasmTrouble(fileset, error) {
  const text = messageOf(error);
  // (Browsers too old for 'wasm-unsafe-eval' report no "wasm-eval" but say it in the error.)
  if (wasmRefused || /Refused to compile|unsafe-eval|code generation disallowed/i.test(text)) {
    return "the site's Content-Security-Policy does not let the browser compile " +
      "WebAssembly (its script-src needs 'wasm-unsafe-eval', or 'unsafe-eval' in browsers " +
      "too old for that keyword)";
  }
  const files = [fileset.wasmLoaderPath, fileset.wasmBinaryPath].filter(Boolean).map(String);
  for (const url of files) {
    try { // HEAD: the .wasm is 7 MB; a host that refuses HEAD (405, 501) says nothing
      const response = await fetch(url, { method: "HEAD", cache: "no-store" });
      if (!response.ok && response.status !== 405 && response.status !== 501) {
        return `${url} could not be loaded (HTTP ${response.status})`;
      }
    } catch (failure) {
      return `${url} could not be loaded (${messageOf(failure)})`;
    }
  }
  if (typeof Event !== "undefined" && error instanceof Event) return text;
  // An abort that names the WebAssembly is its; any other may be the model's (a graph the
  // interpreter refuses, memory), so it is left to the caller, which names the model.
  if (/^(Aborted\(.*wasm|CompileError|LinkError)|ModuleFactory not set/i.test(text)) {
    return `${files.join(" or ")} did not start: ${text}`;
  }
  return null;
}

// Why MediaPipe's script did not load: the browser's own words ("Failed to fetch
// dynamically imported module: URL") repeat the URL and name no cause, which a HEAD
// request tells: the host's answer, the type it serves, or no answer at all.
async function scriptTrouble(url, error) {
  const text = messageOf(error);
  if (!/Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed/i.test(text)) {
    return text;
  }
  let response;
  try {
    response = await fetch(url, { method: "HEAD", cache: "no-store" });
  } catch (failure) {
    return "the browser could not reach it (offline, or a content blocker, firewall or " +
      "Content-Security-Policy in the way)";
  }
  if (!response.ok && response.status !== 405 && response.status !== 501) {
    return `HTTP ${response.status}`;
  }
  const type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
  if (type && !/javascript|ecmascript/i.test(type)) {
    return `the host serves it as ${type}, not text/javascript`;
  }
  return text;
}

async function loadClassifier() {
  const total = config.model.bytes;
  const stalled = (received) => () =>
    `the model's download stalled: nothing arrived for ${seconds(STALL_MS)} ` +
    `(${received.toLocaleString("en")} of ${total.toLocaleString("en")} bytes in)`;
  const progress = (received) => {
    deadline(STALL_MS, stalled(received));
    const percent = Math.min(100, Math.floor((100 * received) / total));
    setStatus(`Loading the model… ${percent} % of ${kibibytes(total)}`);
  };
  deadline(STALL_MS, stalled(0));
  // Once both the model and MediaPipe's script are in, MediaPipe starts (its WebAssembly
  // is fetched then): a script that never arrives (a host that drops the packets) had
  // the start's 3 minutes, and was blamed on the WebAssembly, never asked for.
  let modelIn = false;
  let scriptIn = false;
  const starting = () => {
    deadline(START_MS, () =>
      `MediaPipe did not start within ${seconds(START_MS)} of the model's download: ` +
      `its WebAssembly files (in ${absolute(config.mediapipe.wasm)}/) did not arrive in time`);
    setStatus("Loading the model… starting MediaPipe (WebAssembly)");
  };
  const script = absolute(config.mediapipe.bundle);
  const bundling = import(script).then(
    (module) => {
      scriptIn = true;
      if (modelIn && !timedOut) starting(); // late: the page has shown its error already
      return module;
    },
    async (error) => {
      throw new Error(`cannot load MediaPipe's script ${script}: ${await scriptTrouble(script, error)}`);
    },
  );
  const fetching = fetchModel(config.model.url, config.maxModelBytes, loadAbort.signal, progress)
    .then((bytes) => {
      modelIn = true;
      if (timedOut) {
        // the page has shown its error already
      } else if (scriptIn) {
        starting();
      } else {
        deadline(STALL_MS, () =>
          `MediaPipe's script did not arrive within ${seconds(STALL_MS)} of the model: ` +
          absolute(config.mediapipe.bundle));
        setStatus("Loading the model… loading MediaPipe");
      }
      return bytes;
    });
  let mediapipe;
  let bytes;
  try {
    [mediapipe, bytes] = await Promise.all([bundling, fetching]);
  } catch (error) {
    loadAbort.abort(); // the model's download, when MediaPipe failed first
    throw error;
  }
  const vocab = config.words ? storedFile(bytes, config.words.vocab) : null;
  wordIds = vocab ? parseVocab(vocab) : null;
  let fileset;
  try {
    fileset = await mediapipe.FilesetResolver.forTextTasks(absolute(config.mediapipe.wasm));
  } catch (error) {
    throw new Error(`cannot load MediaPipe's WebAssembly: ${messageOf(error)}`);
  }
  let classifier;
  try {
    classifier = await mediapipe.TextClassifier.createFromOptions(fileset, {
      baseOptions: { modelAssetBuffer: bytes },
      maxResults: -1,
    });
  } catch (error) {
    const trouble = await wasmTrouble(fileset, error);
    if (trouble) throw new Error(`cannot load MediaPipe's WebAssembly: ${trouble}`);
    throw new Error(`MediaPipe cannot run ${MODEL_FILE}: ${messageOf(error)}`);
  }
  try {
    // The first call sets up the CPU delegate (hundreds of ms): do it now, so that
    // `ready` means the first text typed gets its answer at once.
    classifier.classify("");
    return classifier;
  } catch (error) {
    classifier.close();
    throw new Error(`MediaPipe cannot run ${MODEL_FILE}: ${messageOf(error)}`);
  }
}

// The load, raced against its timer: a load that stalls rejects `ready` instead of
// leaving the page waiting for ever (and a classifier that comes too late is freed).
const loading = loadClassifier();
const classifierReady = Promise.race([loading, lateness]).finally(() => clearTimeout(loadTimer));
loading.then(
  (classifier) => {
    if (timedOut) classifier.close();
  },
  () => {},
);

const ready = classifierReady.then(() => ({
  name: config.model.name,
  labels: [...config.model.labels],
  bytes: config.model.bytes,
  mediapipe: config.mediapipe.version,
}));

// Every label, highest score first; equal scores keep the model's label order.
function rank(result) {
  const categories = result.classifications?.[0]?.categories ?? [];
  return categories
    .map((category) => ({
      label: category.categoryName || category.displayName || String(category.index),
      score: category.score,
      index: category.index,
    }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map(({ label, score }) => ({ label, score }));
}

async function classify(text) {
  const classifier = await classifierReady;
  if (closed) throw new Error("the classifier was closed");
  return rank(classifier.classify(text == null ? "" : String(text)));
}

async function read(text) {
  await classifierReady;
  if (config.pieces) {
    const none = !readsAPiece(text == null ? "" : text);
    return { known: none ? 0 : null, unknown: null, unread: null, truncated: null, nul: null };
  }
  if (!wordIds) return null;
  return countWords(wordIds, config.words.seqLen, text == null ? "" : text);
}

// Frees the WebAssembly memory; classify() fails afterwards.
async function close() {
  const classifier = await classifierReady;
  if (!closed) {
    closed = true;
    classifier.close();
  }
}

window.sentigru = Object.freeze({ ready, classify, read, close, model: config.model });

// ----------------------------------------------------------------------------- page

// The visible status (not a live region: it changes with every result, and with the
// time each took); what screen readers hear goes to the one live region, #announce.
function setStatus(text, isError = false) {
  statusView.textContent = text;
  statusView.classList.toggle("error", isError);
}

let announceTimer;
let announced = "";

// A label beyond ASCII (ポジティブ, سلبي) is in the model's language, not the page's
// English: lang="" lets a screen reader use its own voice for it, and dir="auto" sets
// right-to-left scripts their way (as the footer's labels, written by sentigru.web).
function markLanguage(element, text) {
  if (/^[\x00-\x7f]*$/.test(text)) {
    element.removeAttribute("lang");
    element.removeAttribute("dir");
  } else {
    element.lang = "";
    element.dir = "auto";
  }
}

// Tells screen readers `text` once it has stood `delay` ms (a newer text replaces it
// before then), and not again while it stays the same; `label`, where the text starts
// with it, is marked as in the model's language.
function announce(text, delay = ANNOUNCE_MS, label = "") {
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    if (text === announced) return;
    announced = text;
    if (!label || !text.startsWith(label)) {
      announcer.textContent = text;
      return;
    }
    const part = document.createElement("span");
    part.textContent = label;
    markLanguage(part, label);
    announcer.replaceChildren(part, text.slice(label.length));
  }, delay);
}

function showEmpty() {
  labelView.textContent = "\u00a0";
  markLanguage(labelView, "");
  labelView.classList.add("empty");
  delete labelView.dataset.label;
  scoresView.replaceChildren();
}

// What the model could not read of the text, as `sentigru predict` notes it; "" when it
// knows two words or more for each it cannot read, or cannot tell (SentencePiece).
function readingNote(counts) {
  if (!counts) return "";
  const { known, truncated } = counts;
  if (known === null) return ""; // a SentencePiece model that reads some of the text
  const unknown = counts.unknown + (counts.unread || 0); // words in other scripts too
  const cut = !truncated
    ? ""
    : counts.nul
      ? " The text has a NUL character: the model reads what comes before it."
      : " The text is longer than the model reads: it reads its beginning.";
  if (known === 0) {
    const unit = config.pieces ? "piece" : "word"; // a SentencePiece model reads pieces
    return ` The model knows no ${unit} of this text, so it gives no answer.`;
  }
  if (unknown * config.words.partRatio >= known) { // sentigru.tokenizer.reads_part
    return ` The model knows ${known} of the ${known + unknown} words: its score reads only those.${cut}`;
  }
  return cut;
}

function render(ranked, milliseconds, counts) {
  const top = ranked[0];
  // With no word the model knows, its score means nothing: no answer is shown, as
  // export/README.md asks of apps, and no score either (sentigru.classify gives them).
  const blind = counts && counts.known === 0;
  labelView.textContent = blind ? "no answer" : top ? top.label : "?";
  markLanguage(labelView, labelView.textContent);
  labelView.classList.toggle("empty", Boolean(blind));
  labelView.dataset.label = top && !blind ? top.label : "";
  scoresView.replaceChildren(
    ...(blind ? [] : ranked).map(({ label, score }) => {
      const row = document.createElement("li");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = label;
      markLanguage(name, label);
      const bar = document.createElement("span");
      bar.className = "bar";
      const fill = document.createElement("span");
      fill.className = "fill";
      fill.style.width = `${(100 * score).toFixed(1)}%`;
      bar.append(fill);
      const value = document.createElement("span");
      value.className = "value";
      value.textContent = `${(100 * score).toFixed(1)} %`;
      row.append(name, bar, value);
      return row;
    }),
  );
  const note = readingNote(counts);
  setStatus(`Classified in ${milliseconds.toFixed(0)} ms.${note}`);
  const answer = blind ? "No answer." : top ? `${top.label}, ${(100 * top.score).toFixed(1)} %.` : "";
  announce(`${answer}${note}`.trim(), ANNOUNCE_MS, blind || !top ? "" : top.label);
}

let timer;
let sequence = 0;

async function update() {
  const text = input.value;
  const id = ++sequence;
  if (!text.trim()) {
    showEmpty();
    setStatus("Ready: type or paste a text.");
    clearTimeout(announceTimer);
    announced = ""; // the next result is news, even if it repeats the last
    announcer.textContent = ""; // no result stands: a reader browsing the page finds none
    return;
  }
  const start = performance.now();
  try {
    const ranked = await classify(text);
    const milliseconds = performance.now() - start;
    const counts = await read(text);
    if (id === sequence) render(ranked, milliseconds, counts);
  } catch (error) {
    if (id === sequence) {
      setStatus(`Cannot classify: ${messageOf(error)}`, true);
      announce(`Cannot classify: ${messageOf(error)}`);
    }
  }
}

input.addEventListener("input", () => {
  clearTimeout(timer);
  clearTimeout(announceTimer); // still typing: the result is not settled
  timer = setTimeout(update, DEBOUNCE_MS);
});

ready.then(
  () => {
    input.disabled = false;
    announce("Ready: type or paste a text.", 0);
    if (input.value.trim()) update();
    else setStatus("Ready: type or paste a text.");
  },
  (error) => {
    input.disabled = true;
    const message = `The model could not be loaded: ${messageOf(error).replace(/\.$/, "")}. ${RETRY}.`;
    setStatus(message, true);
    announce(message, 0);
  },
);
