"""Start the advisor: build the services from settings and launch the Gradio UI."""

from advisor.ui import main

if __name__ == "__main__":
    main()
