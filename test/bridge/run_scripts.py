"""Test helper: runs many exported scripts in one Python process (importing torch once).

usage: python3 test/bridge/run_scripts.py SCRIPT.py ...
Each script runs as __main__ (runpy), as `python3 SCRIPT.py` would run it; prints one JSON
line per script: {"path", "code" (its exit status), "stdout", "stderr"}.
"""
import contextlib
import io
import json
import runpy
import sys
import traceback


def run_one(path):
    out, err, code = io.StringIO(), io.StringIO(), 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_path(path, run_name="__main__")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # noqa: BLE001 - an uncaught error is the script's failure
            traceback.print_exc()
            code = 1
    sys.settrace(None)
    return {"path": path, "code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


if __name__ == "__main__":
    for p in sys.argv[1:]:
        print(json.dumps(run_one(p)), flush=True)
