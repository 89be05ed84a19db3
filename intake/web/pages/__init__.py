"""The reader's pages, in English, Dari and Pashto.

A reader opens the form (``reader``) in their language (``intake.web.i18n``); with
JavaScript it sends a draft and tus uploads (``static/form.js``), without it a multipart
POST; either way they get a receipt with a private key and come back through the status
page (``status``). ``security`` puts safe headers on every answer and refuses forms
posted from other sites; ``static`` serves the stylesheet, scripts and font.
"""
