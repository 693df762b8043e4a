"""Delivery and imbalance settlement: "no reservation, no service" (docs/model.md: settlement).

At the end of unit j every participant's final position ``y`` (lots bought − sold)
is compared with its realised net energy ``x`` (lots consumed − produced). The
imbalance ``x − y`` is settled by the system operator: a shortfall (``x − y > 0``)
pays the short price, a surplus (``x − y < 0``) is paid the long price.

Sign convention of the result: ``payment > 0`` means the participant pays the
operator. Payments are in currency (prices in currency/kWh times kWh).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["UnitSettlement", "settle_unit"]


@dataclass(frozen=True, slots=True)
class UnitSettlement:
    """The settlement of one delivery unit.

    Attributes:
        imbalance_lots: x − y per participant, lots (+ short, − long).
        payment: Imbalance payment per participant to the operator, currency.
        short_price: Price paid per kWh short, currency/kWh.
        long_price: Price received per kWh long, currency/kWh.
        system_imbalance_lots: Σ (x − y): the net energy the operator's backup supplies
            (> 0) or spills (< 0), lots.
    """

    imbalance_lots: np.ndarray
    payment: np.ndarray
    short_price: float
    long_price: float
    system_imbalance_lots: int


def settle_unit(
    position_lots: np.ndarray,
    realised_lots: np.ndarray,
    *,
    short_price: float,
    long_price: float,
    lot_kwh: float,
) -> UnitSettlement:
    """Settle one unit's imbalances.

    Args:
        position_lots: Final positions y per participant, lots (bought − sold).
        realised_lots: Realised net energy x per participant, lots (consumed − produced).
        short_price: Imbalance short price, currency/kWh.
        long_price: Imbalance long price, currency/kWh.
        lot_kwh: kWh per lot.

    Returns:
        Imbalances, payments and the system imbalance.
    """
    y = np.asarray(position_lots, dtype=np.int64)
    x = np.asarray(realised_lots, dtype=np.int64)
    if y.shape != x.shape:
        raise ValueError(f"position_lots has shape {y.shape} but realised_lots has {x.shape}")
    imb = x - y
    kwh = imb * lot_kwh
    payment = np.where(imb > 0, kwh * short_price, kwh * long_price)
    return UnitSettlement(
        imbalance_lots=imb,
        payment=payment,
        short_price=float(short_price),
        long_price=float(long_price),
        system_imbalance_lots=int(imb.sum()),
    )
