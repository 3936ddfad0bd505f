"""``python -m driver``: the same CLI as the ``vfscore`` console script."""

from driver.cli.app import main

main()
