"""The exchange's matching core: value types and the single-unit limit order book.

Prices are integer ticks, quantities integer lots (see :mod:`rex_cli.market.book`).
"""

from rex_cli.market.book import OrderBook
from rex_cli.market.orders import (
    AuctionQuote,
    Fill,
    OrderRejected,
    OrderView,
    RejectReason,
    Side,
)

__all__ = [
    "AuctionQuote",
    "Fill",
    "OrderBook",
    "OrderRejected",
    "OrderView",
    "RejectReason",
    "Side",
]
