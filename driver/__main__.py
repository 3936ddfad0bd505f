"""``python -m driver``: the same CLI as the ``vfscore`` console script."""

from driver.cli import main

main()
