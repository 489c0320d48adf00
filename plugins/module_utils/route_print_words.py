# -*- coding: utf-8 -*-
# Copyright: contributors to the winnet.routing collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Words ``route print`` prints in the display languages of Windows, used as hints only.

The reader finds the parts of a ``route print`` output by their shape (separator lines, rows of
addresses, the order Windows prints them in). These words help it to tell the user which language
an output is in, to recognise the word that stands for "on-link" in the gateway column and the
word that stands for a "default" metric in the persistent list, and to choose between encodings
that would all give readable text. A word missing here never makes an output unreadable: the
gateway column holds an address or the on-link word, nothing else, and the persistent metric
column holds a number or the default word.
"""

from __future__ import annotations

__all__ = ['LANGUAGES', 'ON_LINK', 'DEFAULT_METRIC', 'NONE', 'ALL_WORDS', 'language_of']

# language: (Interface List title, IPv4 table title, active routes label, persistent routes label)
LANGUAGES = {
    'English': ('Interface List', 'IPv4 Route Table', 'Active Routes:', 'Persistent Routes:'),
    'German': ('Schnittstellenliste', 'IPv4-Routentabelle', 'Aktive Routen:', 'Ständige Routen:'),
    'French': ("Liste d'Interfaces", 'IPv4 Table de routage', 'Itinéraires actifs :', 'Itinéraires persistants :'),
    'Spanish': ('Lista de interfaces', 'IPv4 Tabla de enrutamiento', 'Rutas activas:', 'Rutas persistentes:'),
    'Italian': ('Elenco interfacce', 'IPv4 Tabella route', 'Route attive:', 'Route permanenti:'),
    'Portuguese': ('Lista de interfaces', 'Tabela de rotas IPv4', 'Rotas ativas:', 'Rotas persistentes:'),
    'Dutch': ('Interfacelijst', 'IPv4-routetabel', 'Actieve routes:', 'Permanente routes:'),
    'Polish': ('Lista interfejsów', 'Tabela tras IPv4', 'Trasy aktywne:', 'Trasy trwałe:'),
    'Russian': ('Список интерфейсов', 'IPv4 таблица маршрута', 'Активные маршруты:', 'Постоянные маршруты:'),
    'Czech': ('Seznam rozhraní', 'Směrovací tabulka pro protokol IPv4', 'Aktivní trasy:', 'Trvalé trasy:'),
    'Turkish': ('Arabirim Listesi', 'IPv4 Yönlendirme Tablosu', 'Etkin Yollar:', 'Kalıcı Yollar:'),
    'Japanese': ('インターフェイス一覧', 'IPv4 ルート テーブル', 'アクティブ ルート:', '固定ルート:'),
    'Chinese (Simplified)': ('接口列表', 'IPv4 路由表', '活动路由:', '永久路由:'),
    'Chinese (Traditional)': ('介面清單', 'IPv4 路由表', '使用中的路由:', '持續路由:'),
    'Korean': ('인터페이스 목록', 'IPv4 경로 테이블', '활성 경로:', '영구 경로:'),
}

# The word in the gateway column of an on-link route.
ON_LINK = ('On-link', 'Auf Verbindung', 'En vínculo', 'No vínculo', 'Na łączu', 'Propojený', 'Bağlantıda',
           'リンク上', '在链路上', '在連結上', '연결됨', 'Op koppeling')

# The word in the metric column of a persistent route added without a metric.
DEFAULT_METRIC = ('Default', 'Standard', 'Par défaut', 'Predeterminada', 'Predeterminado', 'Predefinito', 'Padrão',
                  'Standaard', 'Domyślne', 'По умолчанию', 'Výchozí', 'Varsayılan', '既定', '默认', '預設', '기본값')

# The word that stands for an empty persistent list.
NONE = ('None', 'Keine', 'Aucun', 'Ninguno', 'Nessuna', 'Nenhuma', 'Nenhum', 'Geen', 'Brak', 'Отсутствует', 'Žádné',
        'Yok', 'なし', '无', '無', '없음')

ALL_WORDS = tuple(word for words in LANGUAGES.values() for word in words) + ON_LINK + DEFAULT_METRIC


def language_of(text):
    """The display languages whose headings appear in ``text`` (English last, since others reuse it)."""
    lowered = text.lower()
    found = [name for name, words in LANGUAGES.items() if name != 'English' and any(w.lower() in lowered for w in words)]
    if any(w.lower() in lowered for w in LANGUAGES['English']):
        found.append('English')
    return found
