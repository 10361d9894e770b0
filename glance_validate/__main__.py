from glance_validate.cli.main import main

main()
