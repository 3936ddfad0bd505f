"""``python -m vfscore``: the full ``vfscore`` command line, and archi3D's call form.

archi3D's fallback runs ``python -m vfscore --cand-glb G --ref-images R1 R2 … --out-dir D
--repeats N`` (no command) and reads ``D/result.json``; those words go to ``vfscore evaluate``.
"""

import sys

from driver.cli.app import main

if len(sys.argv) > 1 and sys.argv[1].startswith("--") and "--cand-glb" in sys.argv:
    sys.argv.insert(1, "evaluate")
main()
