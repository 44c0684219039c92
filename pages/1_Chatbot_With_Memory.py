"""The Chatbot With Memory page: a conversation the assistant remembers, saved by name."""

from view.memory_chat import MemoryChatView

MemoryChatView().render()
