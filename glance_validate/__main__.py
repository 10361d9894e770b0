from glance_validate.cli import main

main()
