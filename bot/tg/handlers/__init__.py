"""Update handlers, one module per feature; `bot.app` registers them."""
