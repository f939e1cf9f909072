"""Country names and codes as exports write them → ISO 3166-1 alpha-2 (what revloop stores).

HubSpot's "Country/Region" and Salesforce's "Country" / "Billing Country" hold whatever
people typed or picked: ``United States``, ``USA``, ``U.S.``, ``Deutschland``, ``DE``.
Matching ignores case, accents, punctuation and a leading "the". Unknown names are
errors (the user adds an alias to the file or fixes the cell), never a silent guess.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from revloop.engine.imports.values import BadValue

# alpha-2, alpha-3, English short name (ISO 3166-1, 2024).
_ISO_3166 = """
AD AND Andorra|AE ARE United Arab Emirates|AF AFG Afghanistan|AG ATG Antigua and Barbuda
AI AIA Anguilla|AL ALB Albania|AM ARM Armenia|AO AGO Angola|AQ ATA Antarctica
AR ARG Argentina|AS ASM American Samoa|AT AUT Austria|AU AUS Australia|AW ABW Aruba
AX ALA Aland Islands|AZ AZE Azerbaijan|BA BIH Bosnia and Herzegovina|BB BRB Barbados
BD BGD Bangladesh|BE BEL Belgium|BF BFA Burkina Faso|BG BGR Bulgaria|BH BHR Bahrain
BI BDI Burundi|BJ BEN Benin|BL BLM Saint Barthelemy|BM BMU Bermuda|BN BRN Brunei Darussalam
BO BOL Bolivia|BQ BES Bonaire, Sint Eustatius and Saba|BR BRA Brazil|BS BHS Bahamas
BT BTN Bhutan|BV BVT Bouvet Island|BW BWA Botswana|BY BLR Belarus|BZ BLZ Belize|CA CAN Canada
CC CCK Cocos (Keeling) Islands|CD COD Democratic Republic of the Congo
CF CAF Central African Republic|CG COG Congo|CH CHE Switzerland|CI CIV Cote d'Ivoire
CK COK Cook Islands|CL CHL Chile|CM CMR Cameroon|CN CHN China|CO COL Colombia|CR CRI Costa Rica
CU CUB Cuba|CV CPV Cabo Verde|CW CUW Curacao|CX CXR Christmas Island|CY CYP Cyprus
CZ CZE Czechia|DE DEU Germany|DJ DJI Djibouti|DK DNK Denmark|DM DMA Dominica
DO DOM Dominican Republic|DZ DZA Algeria|EC ECU Ecuador|EE EST Estonia|EG EGY Egypt
EH ESH Western Sahara|ER ERI Eritrea|ES ESP Spain|ET ETH Ethiopia|FI FIN Finland|FJ FJI Fiji
FK FLK Falkland Islands|FM FSM Micronesia|FO FRO Faroe Islands|FR FRA France|GA GAB Gabon
GB GBR United Kingdom|GD GRD Grenada|GE GEO Georgia|GF GUF French Guiana|GG GGY Guernsey
GH GHA Ghana|GI GIB Gibraltar|GL GRL Greenland|GM GMB Gambia|GN GIN Guinea|GP GLP Guadeloupe
GQ GNQ Equatorial Guinea|GR GRC Greece|GS SGS South Georgia and the South Sandwich Islands
GT GTM Guatemala|GU GUM Guam|GW GNB Guinea-Bissau|GY GUY Guyana|HK HKG Hong Kong
HM HMD Heard Island and McDonald Islands|HN HND Honduras|HR HRV Croatia|HT HTI Haiti
HU HUN Hungary|ID IDN Indonesia|IE IRL Ireland|IL ISR Israel|IM IMN Isle of Man|IN IND India
IO IOT British Indian Ocean Territory|IQ IRQ Iraq|IR IRN Iran|IS ISL Iceland|IT ITA Italy
JE JEY Jersey|JM JAM Jamaica|JO JOR Jordan|JP JPN Japan|KE KEN Kenya|KG KGZ Kyrgyzstan
KH KHM Cambodia|KI KIR Kiribati|KM COM Comoros|KN KNA Saint Kitts and Nevis|KP PRK North Korea
KR KOR South Korea|KW KWT Kuwait|KY CYM Cayman Islands|KZ KAZ Kazakhstan|LA LAO Laos
LB LBN Lebanon|LC LCA Saint Lucia|LI LIE Liechtenstein|LK LKA Sri Lanka|LR LBR Liberia
LS LSO Lesotho|LT LTU Lithuania|LU LUX Luxembourg|LV LVA Latvia|LY LBY Libya|MA MAR Morocco
MC MCO Monaco|MD MDA Moldova|ME MNE Montenegro|MF MAF Saint Martin|MG MDG Madagascar
MH MHL Marshall Islands|MK MKD North Macedonia|ML MLI Mali|MM MMR Myanmar|MN MNG Mongolia
MO MAC Macao|MP MNP Northern Mariana Islands|MQ MTQ Martinique|MR MRT Mauritania
MS MSR Montserrat|MT MLT Malta|MU MUS Mauritius|MV MDV Maldives|MW MWI Malawi|MX MEX Mexico
MY MYS Malaysia|MZ MOZ Mozambique|NA NAM Namibia|NC NCL New Caledonia|NE NER Niger
NF NFK Norfolk Island|NG NGA Nigeria|NI NIC Nicaragua|NL NLD Netherlands|NO NOR Norway
NP NPL Nepal|NR NRU Nauru|NU NIU Niue|NZ NZL New Zealand|OM OMN Oman|PA PAN Panama|PE PER Peru
PF PYF French Polynesia|PG PNG Papua New Guinea|PH PHL Philippines|PK PAK Pakistan
PL POL Poland|PM SPM Saint Pierre and Miquelon|PN PCN Pitcairn|PR PRI Puerto Rico
PS PSE Palestine|PT PRT Portugal|PW PLW Palau|PY PRY Paraguay|QA QAT Qatar|RE REU Reunion
RO ROU Romania|RS SRB Serbia|RU RUS Russia|RW RWA Rwanda|SA SAU Saudi Arabia
SB SLB Solomon Islands|SC SYC Seychelles|SD SDN Sudan|SE SWE Sweden|SG SGP Singapore
SH SHN Saint Helena|SI SVN Slovenia|SJ SJM Svalbard and Jan Mayen|SK SVK Slovakia
SL SLE Sierra Leone|SM SMR San Marino|SN SEN Senegal|SO SOM Somalia|SR SUR Suriname
SS SSD South Sudan|ST STP Sao Tome and Principe|SV SLV El Salvador|SX SXM Sint Maarten
SY SYR Syria|SZ SWZ Eswatini|TC TCA Turks and Caicos Islands|TD TCD Chad
TF ATF French Southern Territories|TG TGO Togo|TH THA Thailand|TJ TJK Tajikistan
TK TKL Tokelau|TL TLS Timor-Leste|TM TKM Turkmenistan|TN TUN Tunisia|TO TON Tonga
TR TUR Turkiye|TT TTO Trinidad and Tobago|TV TUV Tuvalu|TW TWN Taiwan|TZ TZA Tanzania
UA UKR Ukraine|UG UGA Uganda|UM UMI United States Minor Outlying Islands|US USA United States
UY URY Uruguay|UZ UZB Uzbekistan|VA VAT Holy See|VC VCT Saint Vincent and the Grenadines
VE VEN Venezuela|VG VGB British Virgin Islands|VI VIR U.S. Virgin Islands|VN VNM Viet Nam
VU VUT Vanuatu|WF WLF Wallis and Futuna|WS WSM Samoa|YE YEM Yemen|YT MYT Mayotte
ZA ZAF South Africa|ZM ZMB Zambia|ZW ZWE Zimbabwe
"""

# Other spellings seen in CRM data: long official names, native names, old names.
ALIASES: dict[str, str] = {
    "United States of America": "US",
    "U.S.A.": "US",
    "U.S.": "US",
    "America": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "United Kingdom of Great Britain and Northern Ireland": "GB",
    "Deutschland": "DE",
    "Federal Republic of Germany": "DE",
    "Osterreich": "AT",
    "Schweiz": "CH",
    "Suisse": "CH",
    "Svizzera": "CH",
    "Nederland": "NL",
    "Holland": "NL",
    "The Netherlands": "NL",
    "Belgique": "BE",
    "Belgie": "BE",
    "Espana": "ES",
    "Italia": "IT",
    "Brasil": "BR",
    "Mexico": "MX",
    "Polska": "PL",
    "Sverige": "SE",
    "Norge": "NO",
    "Danmark": "DK",
    "Suomi": "FI",
    "Eire": "IE",
    "Republic of Ireland": "IE",
    "Czech Republic": "CZ",
    "Turkey": "TR",
    "Russian Federation": "RU",
    "Korea": "KR",
    "Republic of Korea": "KR",
    "Korea, Republic of": "KR",
    "Korea (South)": "KR",
    "Democratic People's Republic of Korea": "KP",
    "Vietnam": "VN",
    "UAE": "AE",
    "Emirates": "AE",
    "KSA": "SA",
    "Macedonia": "MK",
    "Moldova, Republic of": "MD",
    "Iran, Islamic Republic of": "IR",
    "Syrian Arab Republic": "SY",
    "Lao People's Democratic Republic": "LA",
    "Bolivia, Plurinational State of": "BO",
    "Venezuela, Bolivarian Republic of": "VE",
    "Tanzania, United Republic of": "TZ",
    "Ivory Coast": "CI",
    "Cape Verde": "CV",
    "Swaziland": "SZ",
    "Burma": "MM",
    "East Timor": "TL",
    "Vatican": "VA",
    "Vatican City": "VA",
    "Hong Kong SAR": "HK",
    "Macau": "MO",
    "Taiwan, Province of China": "TW",
    "Republic of China": "TW",
    "People's Republic of China": "CN",
    "PRC": "CN",
    "Palestine, State of": "PS",
    "Congo (Kinshasa)": "CD",
    "DR Congo": "CD",
    "DRC": "CD",
    "Congo (Brazzaville)": "CG",
    "Republic of the Congo": "CG",
    "Micronesia, Federated States of": "FM",
    "Brunei": "BN",
    "Bosnia": "BA",
    "Trinidad": "TT",
    "St Lucia": "LC",
    "St Kitts and Nevis": "KN",
    "St Vincent and the Grenadines": "VC",
    "Curaçao": "CW",
    "Réunion": "RE",
    "Åland Islands": "AX",
    "Türkiye": "TR",
}

_PUNCTUATION = re.compile(r"[^\w]+")


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    folded = folded.replace("&", " and ").replace("'", "").replace("\u2019", "")
    words = _PUNCTUATION.sub(" ", folded).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


@cache
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    for entry in _ISO_3166.replace("\n", "|").split("|"):
        if not entry.strip():
            continue
        alpha2, alpha3, name = entry.strip().split(" ", 2)
        table[alpha2.casefold()] = alpha2
        table[alpha3.casefold()] = alpha2
        table[_key(name)] = alpha2
    for alias, alpha2 in ALIASES.items():
        table[_key(alias)] = alpha2
    return table


def country_code(text: str) -> str:
    """ISO 3166-1 alpha-2 for a name or code (``"Deutschland"`` → ``"DE"``); "" for empty."""
    value = text.strip()
    if not value:
        return ""
    # Two- and three-letter codes are matched as written (no punctuation stripping),
    # so "U.S." goes through the alias table and "US" through the codes.
    code = _table().get(value.casefold()) if len(value) <= 3 else None
    code = code or _table().get(_key(value))
    if code is None:
        raise BadValue("unknown country; use a name such as Germany or an ISO code such as DE")
    return code
