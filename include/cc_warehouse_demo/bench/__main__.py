"""python -m cc_warehouse_demo.bench [--scales S,M] [--out DIR]"""

from cc_warehouse_demo.bench.run import main

raise SystemExit(main())
