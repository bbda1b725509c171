from repcue.cli import main

main()
