<#-- Helpers shared by the WOUNDWO login templates: language and configuration lookups (fields: field.ftl). -->

<#-- Language of the page as a bare tag (fr, de, en); "en" when internationalization is off. -->
<#function lang>
    <#if realm.internationalizationEnabled && (locale.currentLanguageTag)?has_content>
        <#return locale.currentLanguageTag?lower_case?split("-")[0]>
    </#if>
    <#return "en">
</#function>

<#-- A theme property, trimmed; an unresolved ${env...} placeholder counts as empty. -->
<#function prop key>
    <#local value = ((properties[key])!"")?trim>
    <#if value?starts_with(r"${")>
        <#return "">
    </#if>
    <#return value>
</#function>

<#-- A per-language URL property such as contactUrl_fr; languages without a key use the _en one. -->
<#function localUrl name>
    <#local key = name + "_" + lang()>
    <#if (properties[key])??>
        <#return prop(key)>
    </#if>
    <#return prop(name + "_en")>
</#function>

<#-- A page of the bridge with the current language, or "" when no bridge is configured. -->
<#function bridgePage path>
    <#local base = prop("bridgeUrl")?remove_ending("/")>
    <#if !base?has_content>
        <#return "">
    </#if>
    <#return base + path + "?lang=" + lang()?url("UTF-8")>
</#function>

<#-- Endpoint of the live e-mail check, or "" when it is switched off. -->
<#function emailCheckUrl>
    <#local base = prop("bridgeUrl")?remove_ending("/")>
    <#if !base?has_content || prop("emailCheckEnabled")?lower_case == "false">
        <#return "">
    </#if>
    <#return base + "/api/v1/email-status">
</#function>
