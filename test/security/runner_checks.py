"""Test helper: asks build/torch/runner.py about many documents in one Python process.

usage: python3 test/security/runner_checks.py JOB.json
JOB.json is {"validate": [DOCUMENT_TEXT, ...], "write": [DOCUMENT, ...]} (NaN and Infinity
allowed; documents to validate come as JSON texts, since some are nested too deeply to read).
Prints one JSON object:
  "validate": per document {"ok": true} when validate_document accepts it, {"ok": false,
      "message"} when it raises DocumentError (or the text is nested too deeply to read, which
      the runner's read_document reports so), or {"ok": false, "crash": "TYPE: MESSAGE"} when it
      raises anything else (the runner must never do that: it would print a traceback)
  "write": per document, whether write_result (the streaming writer) gives exactly the text
      of result_to_json (json.dumps) for its result
"""
import io
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "build", "torch"))
import runner  # noqa: E402


def validate(text):
    try:
        doc = json.loads(text)
    except RecursionError:
        return {"ok": False, "message": "$: cannot read JSON (nested too deeply)"}
    try:
        runner.validate_document(doc)
        return {"ok": True}
    except runner.DocumentError as exc:
        return {"ok": False, "message": str(exc)}
    except Exception as exc:  # noqa: BLE001 - reported, that is the point
        return {"ok": False, "crash": "%s: %s" % (type(exc).__name__, exc)}


def same_text(doc):
    whole = runner.result_to_json(runner.Runner(doc, runner.validate_document(doc)).run())
    out = io.StringIO()
    runner.write_result(runner.Runner(doc, runner.validate_document(doc), lazy=True).run(), out)
    return out.getvalue() == whole


def main(job_path):
    with open(job_path, encoding="utf-8") as fh:
        job = json.load(fh)
    print(json.dumps({"validate": [validate(d) for d in job.get("validate", [])],
                      "write": [same_text(d) for d in job.get("write", [])]}))


if __name__ == "__main__":
    main(sys.argv[1])
