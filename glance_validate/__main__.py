from glance_validate.cli.entry import main

main()
