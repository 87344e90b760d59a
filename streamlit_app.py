"""What `streamlit run` starts.

Run as Streamlit's main script (on every rerun, `__name__ == "__main__"`) it calls the router in
kinderwijkraad/app.py (see its docstring for why the main script lives here and not beside
kinderwijkraad/pages/). Imported by the server, it is an `st.App`: Streamlit with the app's own
HTTP routes beside it (kinderwijkraad/web.py: the server-made speech).
"""

import streamlit as st

if __name__ == "__main__":
    from kinderwijkraad.app import main

    main()
else:
    from kinderwijkraad.web import routes

    app = st.App(__file__, routes=routes())
