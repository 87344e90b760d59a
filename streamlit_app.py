"""What `streamlit run` starts: the router in kinderwijkraad/app.py (see its docstring for why
the main script lives here and not beside kinderwijkraad/pages/)."""

from kinderwijkraad.app import main

main()
