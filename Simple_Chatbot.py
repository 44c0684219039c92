"""bnaGPT's entry page: `streamlit run Simple_Chatbot.py`."""

from view.simple_chat import SimpleChatView

SimpleChatView().render()
