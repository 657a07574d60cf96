"""Sums of money in yuan: grouped figures and the amount in Chinese capital numerals (大写金额).

The capitals follow the rules for writing amounts on payment documents (中国人民银行《支付结算
办法》附一《正确填写票据和结算凭证的基本规定》): 壹贰叁肆伍陆柒捌玖 with 拾佰仟万亿; a leading 1
is written 壹拾; one 零 stands for any run of zeros between two written digits, across 万 and 亿
too (100,005 → 壹拾万零伍); 整 follows 元 when there are no 角 or 分; 零 is written between 元
and 分 when there are no 角 (1,000,000.01 → 壹佰万元零壹分).
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["MAX_CAPITALS", "capitals", "figures"]

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")
FEN = Decimal("0.01")
#: The largest sum `capitals` writes (the 万亿 group is the last one).
MAX_CAPITALS = Decimal("9999999999999999.99")


def _to_the_fen(amount: Decimal) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"a sum of money is a Decimal, not {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite() or value != value.quantize(FEN):
        raise ValueError(f"{amount} is not a sum in yuan to the fen")
    return value.quantize(FEN)


def figures(amount: Decimal) -> str:
    """The sum with thousands grouped and two decimal places: 69,440.00."""
    return f"{_to_the_fen(amount):,}"


def _integer_capitals(number: int) -> str:
    digits = str(number)
    written: list[str] = []
    zero_pending = False
    for index, char in enumerate(digits):
        position = len(digits) - 1 - index  # 0 for the units
        digit = int(char)
        if digit:
            if zero_pending and written:
                written.append(DIGITS[0])
            written.append(DIGITS[digit] + PLACES[position % 4])
            zero_pending = False
        else:
            zero_pending = True
        if position % 4 == 0 and position:
            group = digits[max(0, index - 3) : index + 1]
            if int(group):
                written.append(GROUPS[position // 4])
    return "".join(written)


def capitals(amount: Decimal) -> str:
    """The sum in Chinese capital numerals: 69440.00 → 陆万玖仟肆佰肆拾元整, 0.05 → 伍分.

    ValueError for a negative sum, one not to the fen, or one above MAX_CAPITALS."""
    value = _to_the_fen(amount)
    if value < 0 or value > MAX_CAPITALS:
        raise ValueError(f"{amount} cannot be written in capitals (0 to {MAX_CAPITALS:,})")
    fen_total = int(value * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    if not fen_total:
        return "零元整"
    text = _integer_capitals(yuan) + "元" if yuan else ""
    if not jiao and not fen:
        return text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += DIGITS[0]
    if fen:
        text += DIGITS[fen] + "分"
    return text
