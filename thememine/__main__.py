from thememine.cli import main

main()
