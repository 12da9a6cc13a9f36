// Which words of a text a sentigru phone file knows, counted as `sentigru predict --json`
// counts them (known_tokens, unknown_tokens, unread_words, read), for an Android app.
//
// The phone file scores every label 1/n where the text has no word id at all, and an app
// shows no answer there. A text may also hold only fragments of words the tokenizer cut
// ("caf" of "café", "F" and "r" of "Für", the "3" of "<3"): those have ids, so the model
// scores them, often confidently, and only counting the words tells. Use it beside
// MediaPipe's TextClassifier:
//
//     val words = SentigruWords(modelBytes, seqLen = 1024)  // the file's bytes; its input length
//     val counts = words.count(text)
//     if (counts.read == "none") showNoAnswer() else show(top.categoryName(), top.score())
//
// For models with the regex tokenizer (sentigru's default): a SentencePiece model has no
// vocab.txt, and the constructor says so. Plain Kotlin and the JDK: no Android API, so it
// runs in unit tests too. The tables below are generated from sentigru's Python
// (scripts/kotlin_words.py): Unicode as that Python knows it, as the web page gets it.
// tests/test_kotlin_words.py compiles this file and checks it against Python on several
// hundred texts.

package sentigru

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.util.regex.Pattern

class SentigruWords(model: ByteArray, private val seqLen: Int) {
    /**
     * [known]: words the model has an id of its own for; [unknown]: words it reads as
     * unknown or only a fragment of; [unread]: words in other scripts and emoji it drops
     * whole; [truncated]: the model reads the text's beginning only (too long, or a NUL).
     */
    data class Counts(
        val known: Int,
        val unknown: Int,
        val unread: Int,
        val truncated: Boolean,
        val nul: Boolean,
    ) {
        /** "none": no word the model knows, so its score means nothing (show no answer);
         * "part": a third of the words or more unknown or unread; else "all". */
        val read: String
            get() = when {
                known == 0 -> "none"
                (unknown + unread) * PART_RATIO >= known -> "part"
                else -> "all"
            }
    }

    private val ids: Map<String, Int>

    init {
        require(seqLen >= 2) { "seqLen is the model's input length (1024 for the bundled model)" }
        val vocab = storedFile(model, "vocab.txt")
            ?: throw IllegalArgumentException(
                "no vocab.txt stored in the model file: not a sentigru regex-tokenizer model"
            )
        ids = parseVocab(vocab)
    }

    fun count(text: String): Counts {
        val end = text.indexOf('\u0000')
        val head = if (end < 0) text else text.substring(0, end)
        val most = READ_CHARS * seqLen // code points; two UTF-16 units at most each
        val looked = firstCodePoints(head.substring(0, minOf(head.length, 2 * most)), most)
        val faces = facesOf(looked)
        val unread = unreadWords(looked, faces)
        var nul = false // text after a NUL is not read either, but blanks
        if (end >= 0) {
            var i = end + 1
            while (i < text.length && !nul) nul = NUL_BLANKS.indexOf(text[i++]) < 0
        }
        var known = 0
        var read = 0
        var face = 0
        val words = WORD.matcher(head)
        while (words.find()) {
            if (read == seqLen - 1) return Counts(known, read - known, unread, true, nul)
            read++
            val start = words.start()
            val stop = words.end()
            val before = if (start > 0) Character.codePointBefore(text, start) else -1
            val after = if (stop < text.length) text.codePointAt(stop) else -1
            while (face < faces.size && faces[face][1] <= start) face++ // words come in order
            val inFace = face < faces.size && faces[face][0] <= start && stop <= faces[face][1]
            val word = words.group()
            val quotes = word.all { it == '\'' } // ' or '' alone says nothing of the text
            val cut = cutsWord(before) || cutsWord(after) || hiddenCut(head, start, stop) || quotes
            val id = ids[word]
            if (id != null && id > UNKNOWN_ID && !cut && !inFace) known++
        }
        return Counts(known, read - known, unread, nul, nul)
    }

    /** Words the tokenizer drops whole: emoticons of punctuation alone, and runs of word
     * characters beyond ASCII or emoji, but a run of cut letters touching an ASCII word
     * (the é of café, counted with that word); at most seqLen - 1. */
    private fun unreadWords(looked: String, faces: List<IntArray>): Int {
        val chars = looked.codePoints().toArray()
        var count = faces.count { (a, b) -> !FACE_WORD.matcher(looked.substring(a, b)).find() }
        var i = 0
        while (i < chars.size && count < seqLen - 1) {
            if (!inRuns(UNREAD, chars[i])) {
                i++
                continue
            }
            var j = i
            var letters = 0
            while (j < chars.size && inRuns(UNREAD, chars[j])) {
                if (inRuns(UNSPACED, chars[j])) letters++
                j++
            }
            val left = i > 0 && isWordChar(chars[i - 1]) && cutsWord(chars[i])
            val right = j < chars.size && isWordChar(chars[j]) && cutsWord(chars[j - 1])
            if (!(left || right)) count += maxOf(1, (letters + 1) / 2)
            i = j
        }
        return minOf(count, seqLen - 1)
    }

    /** Whether the word body[start, stop) meets an invisible character (soft hyphen,
     * zero-width space) with the word going on past it: half of a word it cut. */
    private fun hiddenCut(body: String, start: Int, stop: Int): Boolean {
        if (start > 0) {
            val before = Character.codePointBefore(body, start)
            val at = start - Character.charCount(before)
            if (inRuns(HIDDEN, before) && at > 0 && isWordChar(Character.codePointBefore(body, at))) {
                return true
            }
        }
        if (stop >= body.length) return false
        val after = body.codePointAt(stop)
        if (!inRuns(HIDDEN, after)) return false
        val next = stop + Character.charCount(after)
        return next < body.length && isWordChar(body.codePointAt(next))
    }

    private companion object {
        val WORD: Pattern = Pattern.compile(TOKEN)
        val FACE_PATTERN: Pattern = Pattern.compile(FACE)
        val FACE_WORD: Pattern = Pattern.compile("[\\w']")
        val CUTTING = runs(CUTTING_TABLE)
        val HIDDEN = runs(HIDDEN_TABLE)
        val UNREAD = runs(UNREAD_TABLE)
        val UNSPACED = runs(UNSPACED_TABLE)

        /** [start, end) of each emoticon not after a word character. */
        fun facesOf(text: String): List<IntArray> {
            val found = mutableListOf<IntArray>()
            val faces = FACE_PATTERN.matcher(text)
            while (faces.find()) {
                val at = faces.start()
                if (at == 0 || !FACE_WORD.matcher(text.substring(at - 1, at)).find()) {
                    found.add(intArrayOf(at, faces.end()))
                }
            }
            return found
        }

        fun firstCodePoints(text: String, most: Int): String {
            val points = text.codePoints().limit(most.toLong()).toArray()
            return String(points, 0, points.size)
        }

        fun isWordChar(point: Int): Boolean =
            point in '0'.code..'9'.code || point in 'A'.code..'Z'.code ||
                point in 'a'.code..'z'.code || point == '_'.code || point == '\''.code

        fun cutsWord(point: Int): Boolean = inRuns(CUTTING, point)

        /** Runs of code points from a table: for each, its first less the last of the run
         * before (0 before the first), then its last less its first. */
        fun runs(flat: IntArray): Array<IntArray> {
            var previous = 0
            return Array(flat.size / 2) { k ->
                val start = previous + flat[2 * k]
                previous = start + flat[2 * k + 1]
                intArrayOf(start, previous)
            }
        }

        fun inRuns(runs: Array<IntArray>, point: Int): Boolean {
            if (point <= 127) return false
            var low = 0
            var high = runs.size - 1
            while (low <= high) {
                val middle = (low + high) ushr 1
                when {
                    point < runs[middle][0] -> high = middle - 1
                    point > runs[middle][1] -> low = middle + 1
                    else -> return true
                }
            }
            return false
        }

        /** A file stored (not compressed) in the zip archive appended to the model, as
         * sentigru packs vocab.txt; null when there is none. */
        fun storedFile(bytes: ByteArray, name: String): ByteArray? {
            val view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)
            var end = -1
            var i = bytes.size - 22
            while (i >= maxOf(0, bytes.size - 22 - 65535)) {
                if (view.getInt(i) == 0x06054b50) {
                    end = i
                    break
                }
                i--
            }
            if (end < 0) return null
            val entries = view.getShort(end + 10).toInt() and 0xffff
            var at = view.getInt(end + 16).toLong() and 0xffffffffL
            for (n in 0 until entries) {
                if (at + 46 > bytes.size || view.getInt(at.toInt()) != 0x02014b50) return null
                val p = at.toInt()
                val method = view.getShort(p + 10).toInt() and 0xffff
                val size = view.getInt(p + 20).toLong() and 0xffffffffL
                val nameLength = view.getShort(p + 28).toInt() and 0xffff
                val extra = view.getShort(p + 30).toInt() and 0xffff
                val comment = view.getShort(p + 32).toInt() and 0xffff
                val local = view.getInt(p + 42).toLong() and 0xffffffffL
                if (p + 46 + nameLength > bytes.size) return null
                if (String(bytes, p + 46, nameLength, Charsets.UTF_8) == name) {
                    if (method != 0 || local + 30 > bytes.size) return null
                    val l = local.toInt()
                    val start = l + 30 + (view.getShort(l + 26).toInt() and 0xffff) +
                        (view.getShort(l + 28).toInt() and 0xffff)
                    if (start + size > bytes.size) return null
                    return bytes.copyOfRange(start, start + size.toInt())
                }
                at += 46L + nameLength + extra + comment
            }
            return null
        }

        /** vocab.txt as the phone reads it: lines split on "\n", a trailing "\r" dropped,
         * empty lines skipped, a line's first field (split on " ") mapped to the number after
         * it; the first line of a word counts. */
        fun parseVocab(bytes: ByteArray): Map<String, Int> {
            val ids = HashMap<String, Int>()
            for (raw in String(bytes, Charsets.UTF_8).split("\n")) {
                val line = raw.removeSuffix("\r")
                if (line.isEmpty()) continue
                val fields = line.split(" ")
                ids.putIfAbsent(fields[0], fields.getOrNull(1)?.toIntOrNull() ?: -1)
            }
            return ids
        }
    }
}

// <generated by scripts/kotlin_words.py: do not edit>
private const val TOKEN = "[\\w']+"
private const val FACE = "(?:[:;=][-'^]?[()\\[\\]DPpOo3/\\\\|*]|</?3)(?![\\w'])"
private const val NUL_BLANKS = "\u0000 \u0009\u000a\u000d\u000b\u000c"
private const val UNKNOWN_ID = 2
private const val READ_CHARS = 64
private const val PART_RATIO = 2
private val CUTTING_TABLE = intArrayOf(
    192, 22, 2, 30, 2, 439, 81, 116, 2, 1, 3, 3, 2, 0, 7, 0, 2, 2, 2, 0, 2, 19, 2, 62, 15, 5, 2,
    138, 9, 165, 5505, 79, 385, 8, 120, 43, 55, 21, 2, 33, 38, 341, 3, 5, 3, 37, 3, 5, 3, 7, 2,
    0, 2, 0, 2, 0, 2, 30, 3, 52, 2, 6, 2, 0, 4, 2, 2, 6, 4, 3, 3, 5, 5, 12, 6, 2, 2, 6, 148, 12,
    52, 12, 168, 0, 2780, 28, 2, 1, 31169, 46, 17, 28, 135, 77, 2, 22, 4, 63, 6, 1, 2, 0, 2, 4,
    28, 2, 3, 5, 817, 42, 6, 8, 20376, 6, 794, 15, 57553, 30,
)
private val HIDDEN_TABLE = intArrayOf(
    173, 0, 1363, 5, 23, 0, 193, 0, 50, 0, 385, 1, 81, 0, 3884, 0, 2045, 1, 2, 1, 27, 4, 50, 4,
    2, 9, 57226, 2, 4290, 0, 16, 0, 9059, 8, 34920, 3, 5328, 7, 798343, 0,
)
private val UNREAD_TABLE = intArrayOf(
    170, 0, 8, 1, 2, 0, 4, 1, 2, 2, 2, 22, 2, 30, 2, 457, 5, 11, 15, 4, 8, 0, 2, 0, 130, 4, 2,
    1, 3, 3, 2, 0, 7, 0, 2, 2, 2, 0, 2, 19, 2, 82, 2, 138, 9, 165, 2, 37, 3, 0, 7, 40, 72, 26,
    5, 3, 46, 42, 22, 9, 5, 1, 2, 98, 2, 0, 16, 1, 8, 14, 3, 0, 17, 0, 2, 29, 30, 88, 12, 0, 15,
    42, 10, 1, 5, 0, 6, 21, 5, 0, 10, 0, 4, 0, 24, 24, 8, 10, 6, 23, 2, 5, 18, 41, 59, 53, 4, 0,
    19, 0, 8, 9, 5, 9, 2, 15, 5, 7, 3, 1, 3, 21, 2, 6, 2, 0, 4, 3, 4, 0, 17, 0, 14, 1, 2, 2, 5,
    11, 3, 5, 3, 0, 9, 5, 5, 1, 3, 21, 2, 6, 2, 1, 2, 1, 2, 1, 32, 3, 2, 0, 8, 9, 3, 2, 17, 8,
    2, 2, 2, 21, 2, 6, 2, 1, 2, 4, 4, 0, 19, 0, 16, 1, 5, 9, 10, 0, 12, 7, 3, 1, 3, 21, 2, 6, 2,
    1, 2, 4, 4, 0, 31, 1, 2, 2, 5, 9, 2, 6, 12, 0, 2, 5, 4, 2, 2, 3, 4, 1, 2, 0, 2, 1, 4, 1, 4,
    2, 4, 11, 23, 0, 22, 12, 19, 7, 2, 2, 2, 22, 2, 15, 4, 0, 27, 2, 3, 0, 3, 1, 5, 9, 9, 6, 2,
    0, 5, 7, 2, 2, 2, 22, 2, 9, 2, 4, 4, 0, 32, 1, 2, 1, 5, 9, 2, 1, 18, 8, 2, 2, 2, 40, 3, 0,
    17, 0, 6, 2, 2, 9, 5, 18, 2, 5, 6, 17, 4, 23, 2, 8, 2, 0, 3, 6, 32, 9, 18, 47, 2, 1, 13, 6,
    10, 9, 40, 1, 2, 0, 2, 4, 2, 23, 2, 0, 2, 9, 2, 1, 10, 0, 3, 4, 2, 0, 10, 9, 3, 3, 33, 0,
    32, 19, 13, 7, 2, 35, 28, 4, 116, 42, 21, 10, 7, 5, 5, 3, 4, 0, 4, 1, 8, 2, 5, 12, 13, 0, 2,
    9, 7, 37, 2, 0, 6, 0, 3, 42, 2, 332, 2, 3, 3, 6, 2, 0, 2, 3, 3, 40, 2, 3, 3, 32, 2, 3, 3, 6,
    2, 0, 2, 3, 3, 14, 2, 56, 2, 3, 3, 66, 15, 19, 4, 15, 17, 85, 3, 5, 4, 619, 3, 16, 2, 25, 6,
    74, 4, 10, 8, 17, 14, 18, 15, 17, 15, 12, 2, 2, 16, 51, 36, 0, 5, 0, 4, 9, 7, 9, 23, 9, 7,
    88, 8, 4, 3, 33, 2, 0, 6, 69, 11, 30, 40, 39, 3, 4, 12, 43, 5, 25, 7, 10, 38, 22, 10, 52,
    44, 9, 7, 9, 14, 0, 94, 46, 18, 7, 4, 9, 42, 29, 14, 55, 27, 35, 29, 9, 4, 48, 3, 8, 8, 42,
    3, 2, 42, 3, 2, 5, 2, 1, 4, 0, 6, 191, 65, 277, 3, 5, 3, 37, 3, 5, 3, 7, 2, 0, 2, 0, 2, 0,
    2, 30, 3, 52, 2, 6, 2, 0, 4, 2, 2, 6, 4, 3, 3, 5, 5, 12, 6, 2, 2, 6, 17, 0, 99, 1, 3, 5, 6,
    10, 7, 12, 71, 0, 31, 0, 5, 0, 3, 9, 2, 0, 4, 4, 7, 0, 2, 0, 2, 0, 2, 3, 2, 10, 3, 3, 6, 4,
    5, 0, 2, 57, 375, 255, 97, 59, 79, 21, 257, 447, 833, 484, 7, 3, 4, 1, 10, 0, 3, 37, 2, 0,
    6, 0, 3, 55, 8, 0, 17, 22, 10, 6, 2, 6, 2, 6, 2, 6, 2, 6, 2, 6, 2, 6, 2, 6, 81, 0, 470, 2,
    26, 8, 8, 4, 3, 4, 5, 85, 7, 2, 2, 89, 2, 3, 6, 42, 2, 93, 4, 3, 11, 31, 49, 15, 33, 9, 31,
    7, 2, 14, 33, 9, 14, 0, 2, 0, 24, 14, 321, 6591, 65, 22156, 68, 45, 3, 268, 4, 27, 21, 46,
    17, 30, 3, 79, 40, 8, 3, 102, 3, 63, 6, 1, 2, 0, 2, 4, 25, 15, 2, 2, 2, 3, 2, 22, 14, 5, 11,
    51, 15, 49, 29, 9, 25, 5, 4, 0, 2, 1, 2, 37, 11, 22, 26, 28, 8, 46, 29, 10, 7, 4, 2, 24, 2,
    40, 24, 2, 2, 7, 5, 9, 7, 22, 4, 0, 4, 49, 2, 0, 4, 1, 3, 4, 3, 0, 2, 0, 25, 2, 3, 10, 8, 2,
    13, 5, 3, 5, 3, 5, 10, 6, 2, 6, 2, 42, 2, 13, 7, 114, 14, 9, 7, 11171, 13, 22, 5, 48, 8453,
    365, 3, 105, 39, 6, 13, 4, 6, 0, 2, 9, 2, 12, 2, 4, 2, 0, 2, 1, 2, 1, 2, 107, 34, 362, 19,
    63, 3, 53, 41, 11, 19, 1, 97, 4, 2, 134, 20, 9, 8, 25, 7, 25, 12, 88, 4, 5, 3, 5, 3, 5, 3,
    2, 36, 11, 2, 25, 2, 18, 2, 1, 2, 14, 3, 13, 35, 122, 13, 44, 13, 56, 18, 1, 245, 28, 4, 48,
    17, 26, 5, 35, 10, 29, 6, 37, 11, 29, 3, 35, 5, 7, 2, 4, 43, 157, 3, 9, 7, 35, 5, 35, 5, 39,
    9, 51, 13, 10, 2, 14, 2, 6, 2, 1, 2, 10, 2, 14, 2, 6, 2, 1, 68, 310, 10, 21, 11, 7, 25, 5,
    2, 41, 2, 8, 70, 5, 3, 0, 2, 43, 2, 1, 4, 0, 3, 22, 3, 30, 3, 37, 9, 8, 49, 18, 2, 1, 6, 32,
    5, 25, 71, 55, 5, 19, 3, 46, 16, 3, 2, 2, 2, 28, 11, 8, 24, 30, 2, 31, 33, 7, 2, 27, 7, 4,
    17, 53, 11, 21, 3, 26, 6, 25, 24, 6, 81, 72, 56, 50, 14, 50, 8, 41, 13, 9, 295, 30, 2, 41,
    7, 1, 79, 39, 9, 21, 12, 3, 28, 17, 47, 27, 21, 22, 13, 52, 27, 29, 2, 1, 3, 0, 14, 44, 33,
    24, 8, 9, 10, 35, 16, 9, 5, 0, 3, 0, 9, 34, 4, 0, 13, 47, 15, 3, 12, 10, 2, 0, 5, 19, 12,
    17, 2, 24, 85, 6, 2, 0, 2, 3, 2, 14, 2, 9, 8, 46, 18, 9, 12, 7, 3, 1, 3, 21, 2, 6, 2, 1, 2,
    4, 4, 0, 19, 0, 13, 4, 159, 52, 19, 3, 6, 9, 6, 2, 31, 47, 21, 1, 2, 0, 9, 9, 167, 46, 42,
    3, 37, 47, 21, 0, 12, 9, 39, 42, 14, 0, 8, 9, 55, 26, 22, 11, 5, 6, 186, 43, 117, 82, 13, 7,
    3, 0, 3, 7, 2, 1, 2, 23, 16, 0, 2, 0, 15, 9, 71, 7, 3, 38, 17, 0, 2, 0, 29, 0, 11, 39, 8, 0,
    22, 0, 12, 45, 20, 0, 19, 72, 264, 8, 2, 36, 18, 0, 16, 28, 6, 29, 113, 6, 2, 1, 2, 37, 22,
    0, 10, 9, 7, 5, 2, 1, 2, 31, 15, 0, 8, 9, 311, 18, 190, 0, 16, 20, 44, 921, 103, 110, 18,
    195, 2637, 96, 16, 1070, 4050, 582, 8634, 568, 8, 30, 2, 9, 7, 78, 2, 9, 7, 29, 19, 47, 17,
    3, 13, 9, 2, 6, 2, 20, 6, 18, 689, 86, 106, 74, 6, 0, 67, 12, 65, 1, 2, 0, 29, 6135, 9,
    1237, 43, 8, 8936, 3, 2, 6, 2, 1, 2, 290, 46, 2, 18, 3, 9, 395, 2309, 106, 6, 12, 4, 8, 8,
    9, 5703, 19, 109, 24, 136, 84, 2, 70, 2, 1, 3, 0, 3, 1, 3, 3, 2, 11, 2, 0, 2, 6, 2, 64, 2,
    3, 3, 7, 2, 6, 2, 27, 2, 3, 2, 4, 2, 0, 4, 6, 2, 339, 3, 24, 2, 24, 2, 30, 2, 24, 2, 30, 2,
    24, 2, 30, 2, 24, 2, 30, 2, 24, 2, 7, 3, 49, 1793, 30, 482, 44, 11, 6, 3, 9, 5, 0, 322, 29,
    19, 43, 5, 9, 1255, 6, 2, 3, 2, 1, 2, 14, 2, 196, 3, 8, 49, 67, 8, 0, 5, 9, 792, 58, 2, 2,
    2, 3, 77, 44, 2, 14, 195, 3, 2, 26, 2, 1, 2, 0, 3, 0, 2, 9, 2, 3, 2, 0, 2, 0, 7, 0, 5, 0, 2,
    0, 2, 0, 2, 2, 2, 1, 2, 0, 3, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 1, 2, 0, 3, 3, 2, 6, 2, 3, 2, 3,
    2, 0, 2, 9, 2, 16, 6, 2, 2, 4, 2, 16, 325, 2815, 241, 9, 1031, 42719, 33, 4152, 8, 221, 3,
    5761, 15, 7472, 3104, 541, 1507, 4938, 715990, 95,
)
private val UNSPACED_TABLE = intArrayOf(
    3585, 57, 5, 28, 38, 1, 2, 0, 2, 4, 2, 23, 2, 0, 2, 22, 3, 4, 2, 0, 2, 5, 3, 9, 3, 3, 289,
    159, 1761, 93, 3, 9, 7, 9, 487, 31, 5698, 85, 5, 100, 241, 15, 513, 6591, 65, 20991, 2529,
    30, 98, 31, 20097, 365, 3, 105, 1164, 58, 45137, 3, 2, 6, 2, 1, 2, 1, 286, 3, 46, 2, 18, 3,
    20121, 42719, 33, 4152, 8, 221, 3, 5761, 15, 7472, 3104, 541, 1507, 4938,
)
// </generated>
