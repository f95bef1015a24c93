"""The merchant's ticket pages: intake (the form), tracking (the conversation by private link), files, finding a
lost ticket, accounts and terminal stickers; tickets/urls.py names each view."""
