"""``python -m vfscore``: the ``vfscore`` command line."""

from driver.cli.app import main

main()
