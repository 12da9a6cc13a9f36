// sentigru web page: runs the site's model.tflite with MediaPipe Tasks for Web
// (TextClassifier, WebAssembly) and shows the label and scores of what is typed.
//
// For scripts: window.sentigru.ready (a Promise that resolves with the model's details
// once it is loaded, and rejects with a readable message when it cannot be),
// window.sentigru.classify(text) (a Promise of [{label, score}, ...], every label,
// highest score first) and window.sentigru.read(text) (a Promise of {known, unknown,
// unread, truncated}: the words of the text the model has in its vocabulary, those it
// reads as unknown, those in other scripts it drops whole, and whether it cuts the text,
// as `sentigru predict --json` counts them; null for a SentencePiece model).

const config = JSON.parse(document.getElementById("sentigru-config").textContent);
const DEBOUNCE_MS = 120;

// MediaPipe's errors end in a C++ source trace, which says nothing to the reader.
function messageOf(error) {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("=== Source Location Trace")[0].trim() || "unknown error";
}

function absolute(path) {
  return new URL(path, document.baseURI).href;
}

function megabytes(bytes) {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

// Fetches the model, refusing it before it reaches WebAssembly if it is larger than the
// limit (by its Content-Length, then by the bytes actually read) or is no TFLite file.
async function fetchModel(url, limit) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`cannot fetch ${url}: ${messageOf(error)}`);
  }
  if (!response.ok) {
    throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
  }
  const tooLarge = (size) =>
    new Error(`${url} is ${size.toLocaleString("en")} bytes or more; ` +
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
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  // A TFLite flatbuffer carries the file identifier "TFL3" at bytes 4 to 8.
  if (total < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== "TFL3") {
    throw new Error(`${url} is not a TFLite model (no TFL3 file identifier)`);
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
// page and `sentigru predict` agree whatever Unicode version the browser knows.
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
// Word characters beyond ASCII (tokenizer.other_word_table): runs of them are words in
// other scripts that the tokenizer drops whole (Korean, Japanese, Arabic ...).
const OTHER_WORDS = codePointRuns(config.words && config.words.otherWords);

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

// Words the tokenizer drops whole, as Tokenizer.unread_words counts them: runs of word
// characters beyond ASCII, but for a run of cut letters touching an ASCII word (the é of
// café, counted with that word).
function unreadWords(head) {
  const chars = Array.from(head);
  const ascii = /^[0-9A-Za-z_']$/;
  let count = 0;
  for (let i = 0; i < chars.length; ) {
    if (!inRuns(OTHER_WORDS, chars[i])) {
      i++;
      continue;
    }
    let j = i;
    while (j < chars.length && inRuns(OTHER_WORDS, chars[j])) j++;
    const left = i > 0 && ascii.test(chars[i - 1]) && cutsWord(chars[i]);
    const right = j < chars.length && ascii.test(chars[j]) && cutsWord(chars[j - 1]);
    if (!(left || right)) count++;
    i = j;
  }
  return count;
}

function countWords(ids, seqLen, text) {
  const body = String(text);
  const end = body.indexOf("\0");
  const head = end < 0 ? body : body.slice(0, end);
  const words = /[\w']+/g;
  let known = 0;
  let read = 0;
  const unread = unreadWords(head);
  for (let match; (match = words.exec(head)) !== null; ) {
    if (read === seqLen - 1) return { known, unknown: read - known, unread, truncated: true };
    read++;
    const start = match.index;
    const stop = start + match[0].length;
    const before = Array.from(body.slice(Math.max(0, start - 2), start)).pop();
    const after = stop < body.length ? String.fromCodePoint(body.codePointAt(stop)) : undefined;
    if (ids.get(match[0]) > 2 && !cutsWord(before) && !cutsWord(after)) known++;
  }
  // Text after a NUL is not read either (sentigru.contract.cut_at_nul).
  const nul = end >= 0 && /[^\0 \t\n\r\v\f]/.test(body.slice(end + 1));
  return { known, unknown: read - known, unread, truncated: nul, nul };
}

async function loadClassifier() {
  const [mediapipe, bytes] = await Promise.all([
    import(absolute(config.mediapipe.bundle)).catch((error) => {
      throw new Error(`cannot load MediaPipe from ${config.mediapipe.bundle}: ${messageOf(error)}`);
    }),
    fetchModel(config.model.url, config.maxModelBytes),
  ]);
  const vocab = config.words ? storedFile(bytes, config.words.vocab) : null;
  wordIds = vocab ? parseVocab(vocab) : null;
  let fileset;
  try {
    fileset = await mediapipe.FilesetResolver.forTextTasks(absolute(config.mediapipe.wasm));
  } catch (error) {
    throw new Error(`cannot load MediaPipe's WebAssembly: ${messageOf(error)}`);
  }
  try {
    const classifier = await mediapipe.TextClassifier.createFromOptions(fileset, {
      baseOptions: { modelAssetBuffer: bytes },
      maxResults: -1,
    });
    // The first call sets up the CPU delegate (hundreds of ms): do it now, so that
    // `ready` means the first text typed gets its answer at once.
    classifier.classify("");
    return classifier;
  } catch (error) {
    throw new Error(`MediaPipe cannot run ${config.model.url}: ${messageOf(error)}`);
  }
}

// The load, raced against a timer: a model that stalls the loader rejects `ready`
// instead of leaving the page waiting for ever.
let timedOut = false;
let closed = false;
let wordIds = null;
const loading = loadClassifier();
const classifierReady = new Promise((resolve, reject) => {
  const seconds = config.loadTimeoutMs / 1000;
  const timer = setTimeout(() => {
    timedOut = true;
    reject(new Error(`the model did not load within ${seconds} s`));
  }, config.loadTimeoutMs);
  loading.then(
    (classifier) => {
      clearTimeout(timer);
      if (timedOut) classifier.close();
      else resolve(classifier);
    },
    (error) => {
      clearTimeout(timer);
      reject(error);
    },
  );
});

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

const input = document.getElementById("text");
const labelView = document.getElementById("label");
const scoresView = document.getElementById("scores");
const statusView = document.getElementById("status");

function setStatus(text, isError = false) {
  statusView.textContent = text;
  statusView.classList.toggle("error", isError);
}

function showEmpty() {
  labelView.textContent = "\u00a0";
  labelView.classList.add("empty");
  delete labelView.dataset.label;
  scoresView.replaceChildren();
}

// What the model could not read of the text, as `sentigru predict` notes it; "" when it
// knows two words or more for each it cannot read, or cannot tell (SentencePiece).
function readingNote(counts) {
  if (!counts) return "";
  const { known, truncated } = counts;
  const unknown = counts.unknown + (counts.unread || 0); // words in other scripts too
  const cut = !truncated
    ? ""
    : counts.nul
      ? " The text has a NUL character: the model reads what comes before it."
      : " The text is longer than the model reads: it reads its beginning.";
  if (known === 0) return " The model knows no word of this text: its score means nothing.";
  if (unknown * config.words.partRatio >= known) { // sentigru.tokenizer.reads_part
    return ` The model knows ${known} of the ${known + unknown} words: its score reads only those.${cut}`;
  }
  return cut;
}

function render(ranked, milliseconds, counts) {
  const top = ranked[0];
  // With no word the model knows, its score means nothing: no answer is shown, as
  // export/README.md asks of apps (the scores stay below for who wants them).
  const blind = counts && counts.known === 0;
  labelView.textContent = blind ? "no answer" : top ? top.label : "?";
  labelView.classList.toggle("empty", Boolean(blind));
  labelView.dataset.label = top && !blind ? top.label : "";
  scoresView.replaceChildren(
    ...ranked.map(({ label, score }) => {
      const row = document.createElement("li");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = label;
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
  setStatus(`Classified in ${milliseconds.toFixed(0)} ms.${readingNote(counts)}`);
}

let timer;
let sequence = 0;

async function update() {
  const text = input.value;
  const id = ++sequence;
  if (!text.trim()) {
    showEmpty();
    setStatus("Ready: type or paste a text.");
    return;
  }
  const start = performance.now();
  try {
    const ranked = await classify(text);
    const milliseconds = performance.now() - start;
    const counts = await read(text);
    if (id === sequence) render(ranked, milliseconds, counts);
  } catch (error) {
    if (id === sequence) setStatus(`Cannot classify: ${messageOf(error)}`, true);
  }
}

input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(update, DEBOUNCE_MS);
});

ready.then(
  () => {
    input.disabled = false;
    if (input.value.trim()) update();
    else setStatus("Ready: type or paste a text.");
  },
  (error) => {
    input.disabled = true;
    setStatus(`The model could not be loaded: ${messageOf(error)}`, true);
  },
);
